#!/usr/bin/env bash
# The cache keeps only verified bytes (Debian): after a good build from a copy of the real
# bookworm mirror, every tampered InRelease, Release pair or .deb is refused with a clear
# error and nothing in out/, no rejected byte and no temporary file is left in the cache, and
# an --offline build still builds, byte for byte, from the verified copies. A truncated
# Packages.xz is refused, and a signed Release whose Packages index could not be fetched is
# not adopted: the offline build keeps using the previous Release (a small repository signed
# by a throwaway key, updated by its publisher while the mirror is half synced).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deb_lib.sh"
real=$REAL_MIRROR
export SOURCE_DATE_EPOCH=1700000000
reset_mirror() { copy_real_mirror "$WORK/m"; }
write_real_recipe "$WORK/real.toml" cache "$WORK/m"
recipe=$WORK/real.toml
extra=()
cache=$WORK/cache

# build OUT [ARGS...]: a build with the shared cache that must succeed.
build() {
  local out=$1
  shift
  rm -rf "$out"
  "$COMPOSE" "$recipe" -o "$out" --cache-dir "$cache" -q "${extra[@]}" "$@" >/dev/null \
    2>"$WORK/build.stderr" || { cat "$WORK/build.stderr" >&2; fail "the build into $out failed"; }
}
# refused TEXT: an online build with the shared cache exits 1, says TEXT, writes nothing.
refused() {
  local out=$WORK/out-fail status=0
  rm -rf "$out"
  "$COMPOSE" "$recipe" -o "$out" --cache-dir "$cache" "${extra[@]}" >/dev/null \
    2>"$WORK/stderr" || status=$?
  [[ $status -eq 1 ]] || { cat "$WORK/stderr" >&2; fail "expected exit 1, got $status"; }
  grep -qF -- "$1" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "stderr lacks: $1"; }
  grep -q "^compose: error: " "$WORK/stderr" || fail "no 'compose: error:' line"
  if [[ -e "$out" ]] && [[ -n "$(ls -A "$out")" ]]; then fail "output left behind in $out"; fi
  sed "s/^/  /" "$WORK/stderr"
}
# clean_cache CASE FILE...: no file of the cache has the bytes of FILE..., no temporary file.
clean_cache() {
  local name=$1 file digest
  shift
  # Listed to a file first: grep -q ending a pipe early would fail it under pipefail.
  find "$cache" -type f -exec sha256sum {} + >"$WORK/cache.sums"
  for file in "$@"; do
    digest=$(sha256sum "$file" | cut -d' ' -f1)
    if grep -q "^$digest " "$WORK/cache.sums"; then
      fail "$name: the rejected bytes of $(basename "$file") are in the cache"
    fi
  done
  [[ -z "$(ls -A "$cache/tmp")" ]] || { ls -la "$cache/tmp" >&2; fail "$name: temporary files left"; }
}
# offline_identical CASE: an offline build gives the good build's outputs.
offline_identical() {
  build "$WORK/out-offline" --offline
  same_outputs "$WORK/out-offline" "$WORK/good.sums" "$1"
  echo "  nothing rejected cached; offline build identical"
}

reset_mirror
dists=$WORK/m/dists/bookworm
build "$WORK/out-good"
record_outputs "$WORK/out-good" "$WORK/good.sums"

echo "case: one flipped byte in the signed text of InRelease"
offset=$(grep -bo "^Origin: " "$dists/InRelease" | head -n1 | cut -d: -f1)
flip_byte "$dists/InRelease" $((offset + 10))
refused "OpenPGP signature"
clean_cache "flipped InRelease" "$dists/InRelease"
offline_identical "flipped InRelease"
reset_mirror

echo "case: a well-formed InRelease signed by another key"
make_throwaway_key
gpg --batch --quiet --yes --digest-algo SHA256 --clearsign --output "$dists/InRelease" "$dists/Release"
refused "OpenPGP signature"
clean_cache "other key" "$dists/InRelease"
offline_identical "other key"
reset_mirror

echo "case: an InRelease that is not signed at all"
cp "$dists/Release" "$dists/InRelease"
refused "not a clear-signed message"
clean_cache "unsigned InRelease" "$dists/InRelease"
offline_identical "unsigned InRelease"
reset_mirror

echo "case: no InRelease, and a Release that differs from its Release.gpg"
rm "$dists/InRelease"
offset=$(grep -bo "^Origin: " "$dists/Release" | head -n1 | cut -d: -f1)
flip_byte "$dists/Release" $((offset + 10))
refused "OpenPGP signature"
clean_cache "detached pair" "$dists/Release"
offline_identical "detached pair"
reset_mirror

echo "case: a .deb with wrong bytes, served while its cached copy is missing"
procps=$(cd "$real" && ls pool/main/p/procps/procps_*.deb)
rm "$WORK/m/$procps" && cp "$real/$procps" "$WORK/m/$procps"
flip_byte "$WORK/m/$procps" 2000
good_deb=$(sha256sum "$real/$procps" | cut -d' ' -f1)
mv "$cache/sha256/$good_deb" "$WORK/procps.verified"
refused "$(basename "$procps")"
mv "$WORK/procps.verified" "$cache/sha256/$good_deb"
clean_cache "wrong .deb bytes" "$WORK/m/$procps"
offline_identical "wrong .deb bytes"
reset_mirror

echo "case: a truncated Packages.xz"
packages=$dists/main/binary-amd64/Packages.xz
head -c 100000 "$real/dists/bookworm/main/binary-amd64/Packages.xz" >"$packages"
# With the verified copy cached, the signed digest finds it and the cut file is never read.
build "$WORK/out-cached"
same_outputs "$WORK/out-cached" "$WORK/good.sums" "truncated Packages.xz, verified copy cached"
# Without it, the build is refused and nothing of that attempt is adopted.
good_cache=$cache
cache=$WORK/cache-empty
refused "Packages.xz"
grep -q "size is 100000 bytes" "$WORK/stderr" || fail "the message does not give the size"
clean_cache "truncated Packages.xz" "$packages"
status=0
"$COMPOSE" "$recipe" -o "$WORK/out-fail" --cache-dir "$cache" --offline >/dev/null \
  2>"$WORK/stderr" || status=$?
[[ $status -eq 1 ]] && grep -q "not in the cache" "$WORK/stderr" ||
  { cat "$WORK/stderr" >&2; fail "the refused attempt left a Release adopted in the cache"; }
cache=$good_cache
offline_identical "truncated Packages.xz"

# A small repository signed by a throwaway key, which its publisher updates (tiny 1.0 -> 1.1).
# publish VERSION: tiny VERSION in pool/, its Packages.xz and a signed InRelease.
publish() {
  local repo=$WORK/tiny version=$1 src=$WORK/debsrc
  rm -rf "$src" && mkdir -p "$src/control" "$src/data/usr/share/tiny" "$repo/pool" \
    "$repo/dists/tiny/main/binary-amd64"
  printf 'Package: tiny\nVersion: %s\nArchitecture: amd64\nMaintainer: Test <test@example.org>\nDescription: tiny\n' \
    "$version" >"$src/control/control"
  echo "hello $version" >"$src/data/usr/share/tiny/hello"
  printf '2.0\n' >"$src/debian-binary"
  tar -C "$src/control" -czf "$src/control.tar.gz" .
  tar -C "$src/data" -czf "$src/data.tar.gz" .
  local deb=$repo/pool/tiny_${version}_amd64.deb
  (cd "$src" && ar rc "$deb" debian-binary control.tar.gz data.tar.gz)
  printf 'Package: tiny\nVersion: %s\nArchitecture: amd64\nMaintainer: Test <test@example.org>\nPriority: optional\nFilename: pool/%s\nSize: %s\nSHA256: %s\nDescription: tiny\n' \
    "$version" "$(basename "$deb")" "$(stat -c %s "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)" |
    xz -c >"$repo/dists/tiny/main/binary-amd64/Packages.xz"
  local xz=$repo/dists/tiny/main/binary-amd64/Packages.xz
  printf 'Origin: Test\nSuite: tiny\nCodename: tiny\nDate: Sat, 01 Jan 2022 00:00:00 UTC\nArchitectures: amd64\nComponents: main\nSHA256:\n %s %s main/binary-amd64/Packages.xz\n' \
    "$(sha256sum "$xz" | cut -d' ' -f1)" "$(stat -c %s "$xz")" >"$repo/dists/tiny/Release"
  gpg --batch --quiet --yes --digest-algo SHA256 --clearsign --output "$repo/dists/tiny/InRelease" \
    "$repo/dists/tiny/Release"
}
cat >"$WORK/tiny.toml" <<TOML
name = "tiny"
distribution = "debian"
release = "tiny"
base = "none"
packages = ["tiny"]

[[repositories]]
url = "file://$WORK/tiny"
suites = ["tiny"]
components = ["main"]
keys = ["throwaway.gpg"]
TOML
recipe=$WORK/tiny.toml
extra=(--trust-dir "$WORK/trust" --keys-dir "$WORK/keys")
publish 1.0
build "$WORK/out-good"
record_outputs "$WORK/out-good" "$WORK/good.sums"

echo "case: a new signed Release whose Packages.xz is still cut off on the mirror"
publish 1.1
xz=$WORK/tiny/dists/tiny/main/binary-amd64/Packages.xz
cp "$xz" "$WORK/Packages.xz.full"
head -c 40 "$WORK/Packages.xz.full" >"$xz"
refused "Packages.xz"
clean_cache "half-synced mirror" "$xz"
offline_identical "half-synced mirror"
cp "$WORK/Packages.xz.full" "$xz"
# tiny_version OUT: the version of tiny in OUT's report.
tiny_version() {
  python3 -c 'import json, sys; print(*[p["version"] for p in json.load(open(sys.argv[1]))["packages"] if p["name"] == "tiny"])' \
    "$1/tiny.result.json"
}
[[ $(tiny_version "$WORK/out-good") == 1.0 ]] || fail "the first build did not install tiny 1.0"
build "$WORK/out-new"
[[ $(tiny_version "$WORK/out-new") == 1.1 ]] || fail "once the mirror is whole, the new Release is not used"
build "$WORK/out-new-offline" --offline
[[ $(tiny_version "$WORK/out-new-offline") == 1.1 ]] ||
  fail "the completed update is not what the cache answers offline"
echo "ok"
