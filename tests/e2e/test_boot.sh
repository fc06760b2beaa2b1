#!/usr/bin/env bash
# `compose boot` end to end: a Debian image with sshd, cron and dockerd under supervisord
# boots under QEMU with the packaged cloud kernel and our initramfs, and every check passes
# (kernel, root mounted, SSH banner, key login, services, supervisorctl, docker info,
# power-off); the image file is unchanged afterwards. A bad --init fails, naming the check
# and the initramfs's FATAL line. Needs root to assemble the test image (chown, chroot).
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
for tool in qemu-system-x86_64 ssh ssh-keygen mkfs.ext4 apt-get; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
ls /boot/vmlinuz-*-cloud-amd64 >/dev/null 2>&1 ||
  { echo "skipped: no linux-image-cloud-amd64 kernel"; exit 77; }
[[ -x /bin/busybox ]] || { echo "skipped: busybox-static is not installed"; exit 77; }
[[ $(id -u) -eq 0 ]] || { echo "skipped: making the test image needs root"; exit 77; }

mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror"
image=$WORK/boot-image.ext4
"$COMPOSE_SOURCE_DIR/tests/support/boot_test_image.sh" "$COMPOSE" "$mirror" "$WORK" "$image" \
  >/dev/null
rm -rf "$WORK/root" "$WORK/out" "$WORK/cache" # the image holds it all now
before=$(sha256sum "$image")

# All checks pass, in order, and the guest powers itself off.
"$COMPOSE" boot "$image" --cache-dir "$WORK/boot-cache" --log "$WORK/console.log" \
  >"$WORK/boot.txt" 2>"$WORK/boot.err" || {
  cat "$WORK/boot.txt" "$WORK/boot.err" >&2
  fail "compose boot failed"
}
cat "$WORK/boot.txt"
expected="kernel root-mounted sshd-banner ssh-login services supervisorctl docker-info power-off"
[[ "$(awk '$1 == "pass" { printf "%s ", $2 }' "$WORK/boot.txt")" == "$expected " ]] ||
  fail "checks differ from: $expected"
grep -q "^pass docker-info .* storage=overlay2 cgroup=v2$" "$WORK/boot.txt" ||
  fail "docker info did not report overlay2 on cgroup v2"
grep -q "^pass power-off .*QEMU exited (status 0)" "$WORK/boot.txt" ||
  fail "the guest did not power itself off"
grep -q "compose-initramfs: key added for miget" "$WORK/console.log" || fail "no key for miget"
[[ "$(sha256sum "$image")" == "$before" ]] || fail "the image changed (no -snapshot?)"
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
# The initramfs is cached under its digest; the second boot built the same bytes again.
entries=("$WORK"/boot-cache/sha256/*)
((${#entries[@]} == 1)) || fail "expected one cached initramfs, found ${#entries[@]}"
[[ "$(basename "${entries[0]}")" == "$(sha256sum <"${entries[0]}" | cut -d' ' -f1)" ]] ||
  fail "cached initramfs does not match its name"

echo "boot checks passed; bad --init failed as expected"
