#!/usr/bin/env bash
# `compose boot` end to end: the images our own recipes build from the test mirror boot under
# QEMU with the packaged cloud kernel and our initramfs, without --init (the initramfs finds
# compose's entrypoint), and every check passes: kernel, root mounted, SSH banner, key login,
# services, supervisorctl, the engine's info, the data disk (ext4 labelled miget-data, on
# the engine's state directory), power-off. debian-12-dockerd runs dockerd, debian-12-podman
# podman's service (--engine podman), whose package set is apt's own answer for it. Neither
# disk file changes. A bad --init fails, naming the check and the initramfs's FATAL line.
# No root needed.
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
for tool in qemu-system-x86_64 ssh ssh-keygen mkfs.ext4 apt-get; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
ls /boot/vmlinuz-*-cloud-amd64 >/dev/null 2>&1 ||
  { echo "skipped: no linux-image-cloud-amd64 kernel"; exit 77; }
[[ -x /bin/busybox ]] || { echo "skipped: busybox-static is not installed"; exit 77; }

mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror"

# build FLAVOUR: builds recipes/debian-12-FLAVOUR.toml and keeps only its ext4 image.
build() {
  local name=debian-12-$1
  SOURCE_DATE_EPOCH=1750000000 "$COMPOSE" "$COMPOSE_SOURCE_DIR/recipes/$name.toml" \
    --mirror "host-apt=file://$mirror" -o "$WORK/out" --cache-dir "$WORK/cache" -q >/dev/null ||
    fail "building $name failed"
  # out/NAME.ext4 is a link into the published set (README): move the file it names.
  mv "$(readlink -f "$WORK/out/$name.ext4")" "$WORK/$name.ext4"
  rm -rf "$WORK/out"
}

# boot IMAGE ENGINE STATE-DIRECTORY: every check passes, in order, on a fresh data disk.
boot() {
  local image=$1 engine=$2 state=$3 name
  name=$(basename "$image" .ext4)
  local data=$WORK/$name-data.img
  rm -f "$data"
  truncate -s 512M "$data"
  mkfs.ext4 -q -F -L miget-data "$data"
  local before
  before=$(sha256sum "$image" "$data")
  "$COMPOSE" boot "$image" --engine "$engine" --data-disk "$data" \
    --cache-dir "$WORK/boot-cache" --log "$WORK/$name.console.log" \
    >"$WORK/$name.txt" 2>"$WORK/$name.err" || {
    cat "$WORK/$name.txt" "$WORK/$name.err" >&2
    fail "compose boot of $name failed"
  }
  cat "$WORK/$name.txt"
  local expected="kernel root-mounted sshd-banner ssh-login services supervisorctl"
  expected+=" $engine-info data-disk power-off"
  [[ "$(awk '$1 == "pass" { printf "%s ", $2 }' "$WORK/$name.txt")" == "$expected " ]] ||
    fail "$name: checks differ from: $expected"
  grep -q "^pass root-mounted .*switching to /usr/local/sbin/compose-init on /dev/vda$" \
    "$WORK/$name.txt" || fail "$name: the initramfs did not pick compose's entrypoint"
  grep -q "^pass data-disk .* /dev/vdb on $state (ext4)$" "$WORK/$name.txt" ||
    fail "$name: the miget-data disk is not mounted on $state"
  grep -q "^compose-init: mounted /dev/vdb on $state" "$WORK/$name.console.log" ||
    fail "$name: compose-init did not say it mounted the data disk"
  grep -q "^pass power-off .*QEMU exited (status 0)" "$WORK/$name.txt" ||
    fail "$name: the guest did not power itself off"
  grep -q "compose-initramfs: key added for miget" "$WORK/$name.console.log" ||
    fail "$name: no key for miget"
  [[ "$(sha256sum "$image" "$data")" == "$before" ]] ||
    fail "$name: a disk file changed (no -snapshot?)"
}

build dockerd
image=$WORK/debian-12-dockerd.ext4
boot "$image" docker /var/lib/docker
grep -q "^pass docker-info .* storage=overlay2 cgroup=v2$" "$WORK/debian-12-dockerd.txt" ||
  fail "docker info did not report overlay2 on cgroup v2"

# A missing init: exit 1, the failing check named, the console tail shown, no QEMU left.
status=0
"$COMPOSE" boot "$image" --cache-dir "$WORK/boot-cache" --init /nonexistent \
  >"$WORK/bad.txt" 2>"$WORK/bad.err" || status=$?
[[ $status -eq 1 ]] || { cat "$WORK/bad.txt" "$WORK/bad.err" >&2; fail "expected exit 1, got $status"; }
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
rm -f "$image"

# The podman flavour's package set is apt's own answer for it (the mirror's oracle file).
"$COMPOSE" show-packages "$COMPOSE_SOURCE_DIR/recipes/debian-12-podman.toml" \
  --mirror "host-apt=file://$mirror" --cache-dir "$WORK/cache" 2>/dev/null |
  awk '{ print $1, $2 }' | sort >"$WORK/podman-packages.txt"
diff -u "$mirror/apt-resolution-podman.txt" "$WORK/podman-packages.txt" ||
  fail "debian-12-podman's package set differs from apt's"
build podman
boot "$WORK/debian-12-podman.ext4" podman /var/lib/containers
grep -q "^pass podman-info .* storage=overlay$" "$WORK/debian-12-podman.txt" ||
  fail "podman info did not report overlay storage"

echo "boot checks passed for debian-12-dockerd and debian-12-podman; bad --init failed as expected"
