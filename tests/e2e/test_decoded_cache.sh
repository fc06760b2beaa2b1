#!/usr/bin/env bash
# Decode once, ever (Debian; the Alpine path shares DecodedCache, see its unit tests): a
# cold build decodes every package's data into <cache>/decoded/<sha256>.tar (+ .sum); a warm
# build decodes none and reads them; a flipped byte, a truncated entry and a garbled record
# are each detected and rebuilt from the verified package; a cache whose decoded/ cannot be
# written falls back to spill files. Compress once too: the warm build copies every gzip
# member of the layer from <cache>/gzip-blocks, and damaged members are compressed again.
# Every build's outputs are byte-identical to the first's.
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

# members OUT: the "N of M members from the block cache…" part of that build's OCI line.
members() {
  grep -o "[0-9]* of [0-9]* members from the block cache.*" "$1.stderr" ||
    { cat "$1.stderr" >&2; fail "$1: no block-cache line"; }
}
# One member per started MiB of the layer tar (the rootfs tarball's bytes).
layer_members=$((($(stat -L -c %s "$WORK/cold/decoded.rootfs.tar") + 1048575) / 1048576))
[[ $(members "$WORK/cold") == "0 of $layer_members members from the block cache" ]] ||
  fail "the cold build should compress all $layer_members members"

build "$WORK/warm"
echo "warm:  $(decoded "$WORK/warm"); $(members "$WORK/warm")"
[[ $(members "$WORK/warm") == "$layer_members of $layer_members members from the block cache" ]] ||
  fail "the warm build compressed layer blocks again"
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

# Damaged gzip members: one flipped, one cut short, one swapped for another block's entry
# (whole, so its own digest holds: the trailer must name this block). Each is compressed
# again and replaced; one removed is simply compressed again.
mapfile -t blocks < <(find "$cache/gzip-blocks" -type f | sort)
((${#blocks[@]} >= 4)) || fail "expected at least 4 gzip-blocks entries, found ${#blocks[@]}"
flip_byte "${blocks[0]}" 100
truncate -s 50 "${blocks[1]}"
cp "${blocks[3]}" "${blocks[2]}"
rm "${blocks[3]}"
build "$WORK/damaged-members"
echo "damaged members: $(members "$WORK/damaged-members")"
[[ $(members "$WORK/damaged-members") == "$((layer_members - 4)) of $layer_members members from the block cache, 3 damaged entries compressed again" ]] ||
  fail "the damaged gzip members were not all refused"
same_outputs "$WORK/damaged-members" "$WORK/good.sums" "build over damaged gzip members"
build "$WORK/members-repaired"
[[ $(members "$WORK/members-repaired") == "$layer_members of $layer_members members from the block cache" ]] ||
  fail "the recompressed members are not used by the next build"

# decoded/ that cannot be written (a file in its place): spill files, same outputs.
rm -rf "$cache/decoded" && touch "$cache/decoded"
build "$WORK/spill"
echo "spill: $(decoded "$WORK/spill")"
[[ $(decoded "$WORK/spill") == "decoded $packages packages, 0 read from the decoded cache" ]] ||
  fail "without a writable decoded cache every package should be decoded"
grep -q "using a spill file" "$WORK/spill.stderr" || fail "no spill file reported"
same_outputs "$WORK/spill" "$WORK/good.sums" "build with spill files"
echo "ok"
