#!/usr/bin/env bash
# `compose boot` end to end, as a MicroVM operator uses the images: debian-12-dockerd and
# debian-12-podman, built from the test mirror, boot under QEMU with the packaged cloud kernel
# and our initramfs. Per flavour, two boots of the same image with the same data disk
# (--keep-data; the root image never changes):
#   boot 1 (pc machine): every check passes in order: kernel, root mounted, SSH banner, key
#     login as miget, ~/.ssh 700 and authorized_keys 600 owned by miget, the host key, the
#     services, supervisorctl, the engine's info *as miget* (docker info / podman --remote
#     info), the data disk on the engine's state directory, a one-file busybox image imported
#     and run by miget (--run-container), power-off;
#   boot 2 (microvm machine: virtio-mmio found through ACPI, same initramfs): the image imported in boot 1 is
#     still there and runs (--ssh-script), and sshd presents a different host key: keys are
#     made at first start, never baked into the image.
# Then a bad --init fails, naming the check and the initramfs's FATAL line. No root needed.
# COMPOSE_BOOT_FLAVOURS="dockerd" limits the flavours (default: dockerd podman).
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
ls /boot/vmlinuz-*-cloud-amd64 >/dev/null 2>&1 ||
  { echo "skipped: no linux-image-cloud-amd64 kernel"; exit 77; }
source "$(dirname "$0")/boot_lib.sh"

busybox_image "$WORK/busybox.tar"

# two_boots FLAVOUR ENGINE STATE-DIRECTORY CLIENT
two_boots() {
  local flavour=$1 engine=$2 state=$3 client=$4
  local name=debian-12-$flavour image=$WORK/debian-12-$flavour.ext4 data=$WORK/$flavour-data.img
  data_disk "$data"
  local root_sum data_sum
  root_sum=$(sha256sum <"$image")
  data_sum=$(sha256sum <"$data")

  run_boot "$name-1" "$image" --engine "$engine" --data-disk "$data" --keep-data \
    --run-container "$WORK/busybox.tar" --timeout 900 --cache-dir "$WORK/boot-cache"
  expect_checks "$WORK/$name-1.txt" kernel root-mounted sshd-banner ssh-login ssh-modes host-key \
    services supervisorctl "$engine-info" data-disk run-container power-off
  grep -q "^pass root-mounted .*switching to /usr/local/sbin/compose-init on /dev/vda$" \
    "$WORK/$name-1.txt" || fail "$name: the initramfs did not pick compose's entrypoint"
  [[ "$(detail "$WORK/$name-1.txt" ssh-modes)" == \
    "700 miget /home/miget/.ssh, 600 miget /home/miget/.ssh/authorized_keys" ]] ||
    fail "$name: ~/.ssh modes or owner"
  grep -q "^pass data-disk .* /dev/vdb on $state (ext4)$" "$WORK/$name-1.txt" ||
    fail "$name: the miget-data disk is not mounted on $state"
  grep -q "^compose-init: mounted /dev/vdb on $state" "$WORK/$name-1.console.log" ||
    fail "$name: compose-init did not say it mounted the data disk"
  grep -q "^pass run-container .*imported busybox.tar as compose-boot-check, /bin/busybox ran in it$" \
    "$WORK/$name-1.txt" || fail "$name: no container ran"
  grep -q "^pass power-off .*QEMU exited (status 0)" "$WORK/$name-1.txt" ||
    fail "$name: the guest did not power itself off"
  grep -q "compose-initramfs: key added for miget" "$WORK/$name-1.console.log" ||
    fail "$name: no key for miget"
  [[ "$(sha256sum <"$image")" == "$root_sum" ]] || fail "$name: the root image changed"
  [[ "$(sha256sum <"$data")" != "$data_sum" ]] || fail "$name: --keep-data kept nothing"

  # What miget imported lives on the data disk: it is still there and runs, with no import.
  printf '%s\n' "$client image inspect --format '{{.Id}}' compose-boot-check >/dev/null" \
    "$client run --rm compose-boot-check /bin/busybox echo kept on the data disk" \
    >"$WORK/kept.sh"
  run_boot "$name-2" "$image" --engine "$engine" --data-disk "$data" --keep-data \
    --machine microvm --ssh-script "$WORK/kept.sh" --timeout 900 --cache-dir "$WORK/boot-cache"
  expect_checks "$WORK/$name-2.txt" kernel root-mounted sshd-banner ssh-login ssh-modes host-key \
    services supervisorctl "$engine-info" data-disk ssh-script power-off
  [[ "$(detail "$WORK/$name-2.txt" ssh-script)" == "kept.sh: kept on the data disk" ]] ||
    fail "$name: the imported image did not survive the restart"
  grep -q " on microvm, compose's initramfs$" "$WORK/$name-2.err" &&
    ! grep -q "i440FX" "$WORK/$name-2.console.log" || fail "$name: boot 2 was not on microvm"
  local key1 key2
  key1=$(detail "$WORK/$name-1.txt" host-key)
  key2=$(detail "$WORK/$name-2.txt" host-key)
  [[ $key1 == SHA256:* && $key2 == SHA256:* ]] || fail "$name: no host key fingerprints"
  [[ $key1 != "$key2" ]] || fail "$name: both boots presented host key $key1"
  [[ "$(sha256sum <"$image")" == "$root_sum" ]] || fail "$name: the root image changed"
}

for flavour in ${COMPOSE_BOOT_FLAVOURS:-dockerd podman}; do
  case $flavour in
  dockerd)
    build_flavour dockerd
    two_boots dockerd docker /var/lib/docker docker
    grep -q "^pass docker-info .* storage=overlay2 cgroup=v2$" "$WORK/debian-12-dockerd-1.txt" ||
      fail "docker info did not report overlay2 on cgroup v2"

    # A missing init: exit 1, the failing check named, the console tail shown, no QEMU left.
    status=0
    "$COMPOSE" boot "$WORK/debian-12-dockerd.ext4" --cache-dir "$WORK/boot-cache" \
      --init /nonexistent >"$WORK/bad.txt" 2>"$WORK/bad.err" || status=$?
    [[ $status -eq 1 ]] ||
      { cat "$WORK/bad.txt" "$WORK/bad.err" >&2; fail "expected exit 1, got $status"; }
    grep -q "compose: error: boot check 'root-mounted' failed: initramfs could not start the image" \
      "$WORK/bad.err" || { cat "$WORK/bad.err" >&2; fail "failure does not name root-mounted"; }
    grep -q "compose-initramfs: FATAL: no /nonexistent in the image on /dev/vda" "$WORK/bad.err" ||
      fail "no console tail with the FATAL line"
    grep -q "^pass kernel" "$WORK/bad.txt" || fail "the kernel check should still pass"
    if pgrep -f "qemu-system-x86_64 .*$WORK/" >/dev/null; then fail "QEMU left running"; fi
    # The initramfs is cached under its digest; later boots built the same bytes again.
    entries=("$WORK"/boot-cache/sha256/*)
    ((${#entries[@]} == 1)) || fail "expected one cached initramfs, found ${#entries[@]}"
    [[ "$(basename "${entries[0]}")" == "$(sha256sum <"${entries[0]}" | cut -d' ' -f1)" ]] ||
      fail "cached initramfs does not match its name"
    rm -f "$WORK/debian-12-dockerd.ext4" "$WORK/dockerd-data.img"
    ;;
  podman)
    # The podman flavour's package set is apt's own answer for it (the mirror's oracle file).
    "$COMPOSE" show-packages "$COMPOSE_SOURCE_DIR/recipes/debian-12-podman.toml" \
      --mirror "host-apt=file://$boot_mirror" --cache-dir "$WORK/cache" 2>/dev/null |
      awk '{ print $1, $2 }' | sort >"$WORK/podman-packages.txt"
    diff -u "$boot_mirror/apt-resolution-podman.txt" "$WORK/podman-packages.txt" ||
      fail "debian-12-podman's package set differs from apt's"
    build_flavour podman
    two_boots podman podman /var/lib/containers "podman --remote"
    grep -q "^pass podman-info .* storage=overlay$" "$WORK/debian-12-podman-1.txt" ||
      fail "podman info did not report overlay storage"
    ;;
  *) fail "unknown flavour '$flavour' in COMPOSE_BOOT_FLAVOURS" ;;
  esac
done

echo "boot checks passed for: ${COMPOSE_BOOT_FLAVOURS:-dockerd podman}"
