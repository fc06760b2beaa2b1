#!/usr/bin/env bash
# `compose boot --direct` checks the kernel's .config before QEMU starts: Debian's packaged
# cloud kernel (virtio as modules, no IP_PNP) is refused with every missing option named and
# the way to a kernel that works; --machine pc does not ask for virtio-mmio; a kernel with no
# .config beside it, and --direct with --initrd, are usage errors; a config that has it all
# passes the check (the boot then fails on the missing image, not on the kernel). No QEMU
# ever runs here, so it always runs.
source "$(dirname "$0")/lib.sh"
kernel=$(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -n1 || true)
[[ -n "$kernel" ]] || { echo "skipped: no linux-image-cloud-amd64 kernel"; exit 77; }
truncate -s 64M "$WORK/image.ext4"

# direct ARGS...: compose boot --direct, keeping stdout, stderr and the status.
direct() {
  status=0
  "$COMPOSE" boot "$WORK/image.ext4" --direct --log "$WORK/console.log" "$@" \
    >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
}

direct --kernel "$kernel"
[[ $status == 1 ]] || { cat "$WORK/stderr"; fail "the cloud kernel was not refused (status $status)"; }
for expected in "cannot boot without an initramfs; not built in: CONFIG_VIRTIO_BLK (=m) for the root disk /dev/vda" \
  "CONFIG_VIRTIO_NET (=m) for the network interface" \
  "CONFIG_DEVTMPFS_MOUNT for /dev before init starts" \
  "CONFIG_IP_PNP for the address from ip=" \
  "CONFIG_VIRTIO_MMIO (=m) for the virtio-mmio transport of microvm" \
  "CONFIG_VIRTIO_MMIO_CMDLINE_DEVICES for virtio_mmio.device=" \
  "at: /boot/config-${kernel#/boot/vmlinuz-}" \
  "hint: Debian packages no such kernel: build one with scripts/build-microvm-kernel"; do
  grep -qF "$expected" "$WORK/stderr" || { cat "$WORK/stderr"; fail "the refusal does not say: $expected"; }
done
[[ ! -e "$WORK/console.log" ]] || fail "QEMU started for a refused kernel"

direct --kernel "$kernel" --machine pc
[[ $status == 1 ]] || fail "the cloud kernel was not refused on the pc machine"
grep -qF "CONFIG_VIRTIO_BLK (=m)" "$WORK/stderr" || fail "pc: VIRTIO_BLK not named"
! grep -qF "CONFIG_VIRTIO_MMIO" "$WORK/stderr" || fail "pc: virtio-mmio asked for"

mkdir "$WORK/kernels"
cp "$kernel" "$WORK/kernels/bzImage"
direct --kernel "$WORK/kernels/bzImage"
[[ $status == 2 ]] && grep -qF "pass --kernel-config FILE" "$WORK/stderr" ||
  { cat "$WORK/stderr"; fail "a kernel without .config: want a usage error naming --kernel-config"; }
direct --kernel "$kernel" --initrd "$WORK/image.ext4"
[[ $status == 2 ]] && grep -qF -- "--direct boots without an initramfs" "$WORK/stderr" ||
  { cat "$WORK/stderr"; fail "--direct with --initrd"; }

# Everything built in, as scripts/build-microvm-kernel leaves it: config beside the kernel.
sed -e 's/=m$/=y/' "/boot/config-${kernel#/boot/vmlinuz-}" >"$WORK/kernels/config"
printf 'CONFIG_IP_PNP=y\nCONFIG_DEVTMPFS_MOUNT=y\nCONFIG_VIRTIO_MMIO_CMDLINE_DEVICES=y\n' >>"$WORK/kernels/config"
rm "$WORK/image.ext4"
direct --kernel "$WORK/kernels/bzImage"
[[ $status == 1 ]] && grep -qF "no image at '$WORK/image.ext4'" "$WORK/stderr" ||
  { cat "$WORK/stderr"; fail "a full config should pass the kernel check"; }
echo "--direct refuses kernels that cannot boot without an initramfs, before QEMU"
