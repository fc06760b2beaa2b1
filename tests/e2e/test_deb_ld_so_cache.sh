#!/usr/bin/env bash
# /etc/ld.so.cache without running ldconfig, judged by the host's own glibc 2.36 ldconfig:
# compose builds the bookworm product image from the local test mirror; on the extracted
# rootfs, `ldconfig -r` writes its cache, which must equal ours byte for byte; a second copy
# on which ldconfig also makes its links must have exactly our links; and a binary of the
# image, run in a chroot, must find libc through the cache. libc-bin's postinst counts as
# reproduced in the build report.
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
for tool in apt-get ldconfig python3; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
[[ $(dpkg --print-architecture) == amd64 ]] || { echo "skipped: the test mirror is not amd64"; exit 77; }
mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror"
export SOURCE_DATE_EPOCH=1750000000

cat >"$WORK/recipe.toml" <<TOML
name = "bookworm-ldso"
distribution = "debian"
release = "bookworm"
architecture = "amd64"
base = "required"
packages = ["docker.io", "containerd", "runc", "openssh-server", "supervisor", "cron",
            "ca-certificates", "iptables", "iproute2", "procps"]

[[repositories]]
url = "file://$mirror"
suites = ["\${release}"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]

[image]
entrypoint = ["/bin/sh"]

[outputs]
formats = ["rootfs-tar"]
TOML
"$COMPOSE" "$WORK/recipe.toml" -o "$WORK/out" --cache-dir "$WORK/cache" -q >/dev/null ||
  fail "compose failed"
rootfs=$WORK/out/bookworm-ldso.rootfs.tar

# The report: libc-bin's ldconfig call is reproduced, not skipped.
python3 - "$WORK/out/bookworm-ldso.result.json" <<'PY' || fail "libc-bin postinst not reproduced"
import json, sys
scripts = json.load(open(sys.argv[1]))["scripts"]
libc = [s for s in scripts if s["package"] == "libc-bin" and s["script"] == "postinst"]
assert libc and libc[0]["status"] == "reproduced" and "ldconfig" in libc[0]["detail"], libc
PY

mkdir "$WORK/root" "$WORK/linked"
tar -xf "$rootfs" -C "$WORK/root"
tar -xf "$rootfs" -C "$WORK/linked"
[[ -s $WORK/root/etc/ld.so.cache ]] || fail "no etc/ld.so.cache in the image"

# Same cache, byte for byte (-X: no links, so the extracted tree stays as we built it).
ldconfig -X -r "$WORK/root" -C /ldso-oracle.cache 2>"$WORK/ldconfig.err" || {
  cat "$WORK/ldconfig.err"
  fail "ldconfig -r failed"
}
if ! cmp "$WORK/root/etc/ld.so.cache" "$WORK/root/ldso-oracle.cache"; then
  ldconfig -p -C "$WORK/root/etc/ld.so.cache" >"$WORK/ours.txt" || true
  ldconfig -p -C "$WORK/root/ldso-oracle.cache" >"$WORK/theirs.txt" || true
  diff -u "$WORK/theirs.txt" "$WORK/ours.txt" | head -40
  fail "etc/ld.so.cache differs from ldconfig's"
fi
rm "$WORK/root/ldso-oracle.cache"
echo "ld.so.cache: $(ldconfig -p -C "$WORK/root/etc/ld.so.cache" | head -1), identical to ldconfig -r"

# Same links: ldconfig with link processing on the other copy adds and removes none.
links() { (cd "$1" && find . -type l -printf '%p -> %l\n' | LC_ALL=C sort); }
links "$WORK/root" >"$WORK/links-before.txt"
ldconfig -r "$WORK/linked" 2>/dev/null || fail "ldconfig -r (with links) failed"
links "$WORK/linked" >"$WORK/links-after.txt"
diff -u "$WORK/links-before.txt" "$WORK/links-after.txt" || fail "ldconfig changes links we left"
cmp "$WORK/root/etc/ld.so.cache" "$WORK/linked/etc/ld.so.cache" || fail "caches differ after links"

# The image's own loader uses the cache.
if [[ $(id -u) == 0 ]] && command -v chroot >/dev/null; then
  chroot "$WORK/root" /usr/bin/env LD_DEBUG=libs /bin/true 2>"$WORK/ld-debug.txt" ||
    fail "/bin/true failed in the chroot"
  grep -q "search cache=/etc/ld.so.cache" "$WORK/ld-debug.txt" || {
    cat "$WORK/ld-debug.txt"
    fail "the loader did not search the cache"
  }
  grep -Eq "trying file=/lib/x86_64-linux-gnu/libc.so.6" "$WORK/ld-debug.txt" ||
    fail "libc not found through the cache"
  echo "chroot: the loader found libc.so.6 through /etc/ld.so.cache"
else
  echo "not root: chroot check skipped"
fi
echo "ok"
