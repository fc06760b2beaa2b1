#!/usr/bin/env bash
# The output set is published as one unit. A build is killed (SIGKILL, injected by strace) at
# every file-system change it makes — each mkdir, rename, symlink, unlink, rmdir, one run per
# point — over an out/ holding an earlier build of the same image with other packages and
# other formats. After each kill, out/ must hold one complete, self-consistent set: the old
# one or the new one, every file its result.json names with the digest it names, nothing of
# the other set. The next build then succeeds and leaves one set behind.
# ctest-label: slow
# (slow: the sanitizer build makes hundreds of mkdir calls, one killed build each; the
# optimised build makes ~20 file-system changes in all.)
source "$(dirname "$0")/lib.sh"
command -v strace >/dev/null || fail "strace is missing (scripts/setup --with-test-tools installs it)"

make_mirror
write_recipe "$WORK/old.toml" "file://$WORK/mirror" busybox
FORMATS_NEW='["rootfs-tar", "oci"]'
write_recipe "$WORK/new.toml" "file://$WORK/mirror" busybox busybox-binsh alpine-baselayout
sed -i "s/^formats = .*/formats = $FORMATS_NEW/" "$WORK/new.toml"

CACHE=$WORK/cache run_compose "$WORK/old.toml" -o "$WORK/old" -q >/dev/null
CACHE=$WORK/cache run_compose "$WORK/new.toml" -o "$WORK/new" -q >/dev/null
old_result=$(sha256sum <"$WORK/old/e2e.result.json")
new_result=$(sha256sum <"$WORK/new/e2e.result.json")

# consistent DIR: which set DIR shows ("old" or "new"); fails on anything else.
consistent() {
  python3 - "$1" <<'PY'
import hashlib, json, os, sys
out = sys.argv[1]
def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
visible = sorted(n for n in os.listdir(out) if not n.startswith(".") and os.path.exists(os.path.join(out, n)))
result = json.load(open(os.path.join(out, "e2e.result.json")))
named = {o["file"]: o.get("sha256") for o in result["outputs"]}
named["e2e.result.json"] = None
for name in visible:
    if name not in named:
        sys.exit(f"{name} is not part of the set result.json describes")
for name, digest in named.items():
    path = os.path.join(out, name)
    if not os.path.exists(path):
        sys.exit(f"{name} is named by result.json but missing")
    if digest and sha(path) != digest:
        sys.exit(f"{name} does not have the digest result.json names")
print("ext4" if "e2e.ext4" in named else "no-ext4")
PY
}

points=0
for call in mkdir rename symlink unlink unlinkat rmdir; do
  for ((k = 1; k <= 60; k++)); do # more would only repeat the same kind of point
    rm -rf "$WORK/out"
    cp -a "$WORK/old" "$WORK/out"
    status=0
    { CACHE=$WORK/cache strace -f -qq -o /dev/null -e trace="$call" -e inject="$call:signal=KILL:when=$k" \
      "$COMPOSE" "$WORK/new.toml" -o "$WORK/out" --trust-dir "$WORK/trust" --keys-dir "$WORK/trust" \
      --cache-dir "$WORK/cache" --offline -q >/dev/null 2>&1; } 2>/dev/null || status=$?
    shape=$(consistent "$WORK/out") || fail "killed at $call #$k: out/ is not one set"
    result=$(sha256sum <"$WORK/out/e2e.result.json")
    [[ $result == "$old_result" || $result == "$new_result" ]] || fail "killed at $call #$k: a result.json of neither set"
    [[ $status -eq 0 ]] && break # the build got past its last $call: every point was tried
    points=$((points + 1))
    set_name=$([[ $result == "$new_result" ]] && echo new || echo old)
    echo "killed at $call #$k: the $set_name set ($shape)"
  done
done
((points >= 15)) || fail "only $points kill points: the test no longer covers the commit"

# After a kill, the next build succeeds and leaves exactly the new set.
CACHE=$WORK/cache run_compose "$WORK/new.toml" -o "$WORK/out" --offline -q >/dev/null
[[ $(consistent "$WORK/out") == no-ext4 ]] || fail "the build after a kill did not publish the new set"
[[ ! -L $WORK/out/e2e.ext4 ]] || fail "a link to the old set's ext4 stayed"
sets=$(find "$WORK/out/.compose/e2e" -mindepth 1 -maxdepth 1 ! -name current | wc -l)
[[ $sets -eq 1 ]] || { ls -la "$WORK/out/.compose/e2e" >&2; fail "$sets set directories left, not 1"; }
cmp "$WORK/out/e2e.rootfs.tar" "$WORK/new/e2e.rootfs.tar" || fail "the rebuilt set differs"
echo "$points kill points, out/ held one complete set after each"
