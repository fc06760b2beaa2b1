#!/usr/bin/env bash
# `compose boot --direct` end to end, as Firecracker users boot: no initramfs, the kernel
# mounts the ext4 as root=/dev/vda itself, on QEMU's microvm machine with virtio-mmio devices
# named on the command line (no ACPI). debian-12-dockerd and debian-12-podman each boot once
# with a data disk and pass every check, a container run by miget included. Needs a kernel
# with all of it built in, which Debian does not package: $COMPOSE_DIRECT_KERNEL, else the
# one scripts/build-microvm-kernel built; without one the test is skipped (building takes
# far longer than a CI run may). Neither disk file changes.
# COMPOSE_BOOT_FLAVOURS="dockerd" limits the flavours (default: dockerd podman).
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
kernel=${COMPOSE_DIRECT_KERNEL:-}
if [[ -z "$kernel" ]]; then
  kernel=$("$COMPOSE_SOURCE_DIR/scripts/build-microvm-kernel" --path) || {
    echo "skipped: no kernel for --direct (set COMPOSE_DIRECT_KERNEL, or run" \
      "scripts/build-microvm-kernel, which builds ${kernel:-one from linux-source-6.1})"
    exit 77
  }
fi
[[ -f "$kernel" ]] || fail "COMPOSE_DIRECT_KERNEL=$kernel is not a file"
source "$(dirname "$0")/boot_lib.sh"
busybox_image "$WORK/busybox.tar"

for flavour in ${COMPOSE_BOOT_FLAVOURS:-dockerd podman}; do
  case $flavour in
  dockerd) engine=docker state=/var/lib/docker ;;
  podman) engine=podman state=/var/lib/containers ;;
  *) fail "unknown flavour '$flavour' in COMPOSE_BOOT_FLAVOURS" ;;
  esac
  name=debian-12-$flavour
  build_flavour "$flavour"
  image=$WORK/$name.ext4
  data_disk "$WORK/data.img"
  before=$(sha256sum "$image" "$WORK/data.img")
  run_boot "$name" "$image" --direct --kernel "$kernel" --engine "$engine" \
    --data-disk "$WORK/data.img" --run-container "$WORK/busybox.tar" --timeout 900
  expect_checks "$WORK/$name.txt" kernel root-mounted sshd-banner ssh-login ssh-modes host-key \
    services supervisorctl "$engine-info" data-disk run-container power-off
  grep -q " on microvm, no initramfs$" "$WORK/$name.err" || fail "$name: not a direct microvm boot"
  [[ "$(detail "$WORK/$name.txt" root-mounted)" == \
    "compose-direct: starting /usr/local/sbin/compose-init on /dev/vda" ]] ||
    fail "$name: the image's /bin/sh did not start compose's entrypoint"
  # virtio_mmio.device= words register these (the kernel's log of its command line is cut
  # short before them).
  [[ $(grep -c "virtio-mmio: Registering device virtio-mmio\.[0-9] at 0x" \
    "$WORK/$name.console.log") == 4 ]] ||
    fail "$name: the 4 virtio-mmio devices were not named on the command line"
  grep -q "VFS: Mounted root (ext4 filesystem)" "$WORK/$name.console.log" ||
    fail "$name: the kernel did not mount the root itself"
  ! grep -q "compose-initramfs" "$WORK/$name.console.log" || fail "$name: an initramfs ran"
  grep -q "^compose-direct: key added for miget" "$WORK/$name.console.log" ||
    fail "$name: no key for miget"
  grep -q "^pass power-off .*QEMU exited (status 0)" "$WORK/$name.txt" ||
    fail "$name: the guest did not end QEMU itself"
  grep -q "^pass data-disk .* /dev/vdb on $state (ext4)$" "$WORK/$name.txt" ||
    fail "$name: the miget-data disk is not mounted on $state"
  [[ "$(sha256sum "$image" "$WORK/data.img")" == "$before" ]] || fail "$name: a disk file changed"
  rm -f "$image" "$WORK/data.img"
done
echo "direct boots passed for: ${COMPOSE_BOOT_FLAVOURS:-dockerd podman} with $kernel"
