#!/usr/bin/env bash
# Decode once, ever (Debian; the Alpine path shares DecodedCache, see its unit tests): a
# cold build decodes every package's data into <cache>/decoded/<sha256>.tar (+ .sum); a warm
# build decodes none and reads them; a flipped byte, a truncated entry and a garbled record
# are each detected and rebuilt from the verified package; a cache whose decoded/ cannot be
# written falls back to spill files. Every build's outputs are byte-identical to the first's.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deb_lib.sh"
export SOURCE_DATE_EPOCH=1700000000
cat >"$WORK/recipe.toml" <<TOML
name = "decoded"
distribution = "debian"
release = "bookworm"
base = "none"
packages = ["procps"]

[[repositories]]
url = "file://$REAL_MIRROR"
suites = ["bookworm"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]

[outputs]
formats = ["rootfs-tar", "oci", "ext4"]
TOML
cache=$WORK/cache

# build OUT: a verbose build with the shared cache; its stderr in OUT.stderr.
build() {
  rm -rf "$1"
  "$COMPOSE" "$WORK/recipe.toml" -o "$1" --cache-dir "$cache" -v >/dev/null 2>"$1.stderr" ||
    { cat "$1.stderr" >&2; fail "the build into $1 failed"; }
}
# decoded OUT: the "decoded N packages, M read…" line of that build.
decoded() {
  grep -o "decoded [0-9]* packages, [0-9]* read from the decoded cache.*" "$1.stderr" ||
    { cat "$1.stderr" >&2; fail "$1: no decoded-cache line"; }
}

build "$WORK/cold"
record_outputs "$WORK/cold" "$WORK/good.sums"
packages=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["packages"]))' \
  "$WORK/cold/decoded.result.json")
echo "cold:  $(decoded "$WORK/cold") ($packages packages)"
[[ $(decoded "$WORK/cold") == "decoded $packages packages, 0 read from the decoded cache" ]] ||
  fail "the cold build did not decode every package once"
entries=("$cache"/decoded/*.tar)
[[ ${#entries[@]} -eq $packages ]] || fail "expected $packages decoded entries, found ${#entries[@]}"
for entry in "${entries[@]}"; do
  [[ -s $entry.sum ]] || fail "$entry has no record"
  [[ $(cut -d' ' -f1 "$entry.sum") == $(sha256sum "$entry" | cut -d' ' -f1) ]] ||
    fail "$entry: its record does not match"
done

build "$WORK/warm"
echo "warm:  $(decoded "$WORK/warm")"
[[ $(decoded "$WORK/warm") == "decoded 0 packages, $packages read from the decoded cache" ]] ||
  fail "the warm build decoded packages again"
same_outputs "$WORK/warm" "$WORK/good.sums" "warm build"

# The largest entry gets a byte flipped in its middle, the next is cut short, a third loses
# its record's sense; each must be refused, rebuilt, and replaced by a good entry.
mapfile -t by_size < <(ls -S "$cache"/decoded/*.tar)
flipped=${by_size[0]} cut=${by_size[1]} garbled=${by_size[2]}
cp "$flipped" "$WORK/flipped.good"
flip_byte "$flipped" $(($(stat -c %s "$flipped") / 2))
truncate -s $(($(stat -c %s "$cut") / 3)) "$cut"
echo "garbage" >"$garbled.sum"
build "$WORK/damaged"
echo "damaged: $(decoded "$WORK/damaged")"
[[ $(decoded "$WORK/damaged") == "decoded 3 packages, $((packages - 3)) read from the decoded cache, 3 damaged entries rebuilt" ]] ||
  fail "the damaged entries were not all rebuilt"
grep -q "decoded cache entry refused (SHA-256 .* does not match its record" "$WORK/damaged.stderr" ||
  fail "the flipped byte is not reported as a digest mismatch"
same_outputs "$WORK/damaged" "$WORK/good.sums" "build over damaged entries"
cmp -s "$flipped" "$WORK/flipped.good" || fail "the flipped entry was not replaced by a good one"
build "$WORK/repaired"
[[ $(decoded "$WORK/repaired") == "decoded 0 packages, $packages read from the decoded cache" ]] ||
  fail "the rebuilt entries are not used by the next build"

# decoded/ that cannot be written (a file in its place): spill files, same outputs.
rm -rf "$cache/decoded" && touch "$cache/decoded"
build "$WORK/spill"
echo "spill: $(decoded "$WORK/spill")"
[[ $(decoded "$WORK/spill") == "decoded $packages packages, 0 read from the decoded cache" ]] ||
  fail "without a writable decoded cache every package should be decoded"
grep -q "using a spill file" "$WORK/spill.stderr" || fail "no spill file reported"
same_outputs "$WORK/spill" "$WORK/good.sums" "build with spill files"
echo "ok"
