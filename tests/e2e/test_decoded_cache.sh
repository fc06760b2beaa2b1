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
# gzip_members OUT: how many gzip members the layer blob (the largest blob) of OUT holds and
# how many are distinct; writes OUT.once, the block-cache keys of the blocks that occur once
# (a tree can hold the same bytes twice, and the second block is then served by the first's
# entry even in a cold build).
gzip_members() {
  python3 - "$1" <<'PY'
import collections, hashlib, json, pathlib, sys, tarfile, zlib
out = pathlib.Path(sys.argv[1])
engine = json.loads((out / "decoded.result.json").read_text())
engine = next(o["layer_engine"] for o in engine["outputs"] if "layer_engine" in o)
with tarfile.open(out / "decoded.oci.tar") as archive:
    blob = max((m for m in archive.getmembers() if m.name.startswith("blobs/")), key=lambda m: m.size)
    data = archive.extractfile(blob).read()
keys = []
while data:
    inflater = zlib.decompressobj(31)
    block = inflater.decompress(data)
    assert inflater.eof, "a member is cut short"
    data = inflater.unused_data
    keys.append(hashlib.sha256(b"compose gzip member\0" + engine.encode() + b"\0" + block).hexdigest())
counts = collections.Counter(keys)
pathlib.Path(str(out) + ".once").write_text("".join(k + "\n" for k in sorted(counts) if counts[k] == 1))
print(len(keys), len(counts))
PY
}
read -r layer_members distinct_members < <(gzip_members "$WORK/cold")
((layer_members >= 4)) || fail "expected at least 4 members in the layer, found $layer_members"
[[ $(members "$WORK/cold") == "$((layer_members - distinct_members)) of $layer_members members from the block cache" ]] ||
  fail "the cold build should compress each of its $distinct_members distinct blocks once"
[[ $(find "$cache/gzip-blocks" -type f | wc -l) -eq $distinct_members ]] ||
  fail "expected one gzip-blocks entry per distinct block"

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
mapfile -t blocks < <(sed 's|^\(..\)\(.*\)|'"$cache"'/gzip-blocks/\1/\1\2|' "$WORK/cold.once")
((${#blocks[@]} >= 4)) || fail "expected at least 4 blocks that occur once, found ${#blocks[@]}"
for entry in "${blocks[@]:0:4}"; do [[ -f $entry ]] || fail "no gzip-blocks entry $entry"; done
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

# A 3 KB file added under /etc shifts everything after it in the layer tar. Blocks end where
# the content says, so only the blocks around the new file are compressed again.
cp "$WORK/recipe.toml" "$WORK/recipe.good.toml"
printf '\n[[files]]\npath = "/etc/compose-edit.conf"\nowner = "0"\ngroup = "0"\ncontent = "%s\\n"\n' "$(head -c 3000 /dev/zero | tr '\0' x)" >>"$WORK/recipe.toml"
build "$WORK/edited"
read -r edited_members _ < <(gzip_members "$WORK/edited")
reused=$(members "$WORK/edited" | cut -d' ' -f1)
echo "edited: $(members "$WORK/edited")"
[[ $(members "$WORK/edited") == "$reused of $edited_members members from the block cache" ]] ||
  fail "the edited build's block-cache line does not count its $edited_members members"
((reused + 2 >= edited_members)) ||
  fail "a 3 KB file under /etc made $((edited_members - reused)) of $edited_members members compress again"
mv "$WORK/recipe.good.toml" "$WORK/recipe.toml"

# decoded/ that cannot be written (a file in its place): spill files, same outputs.
rm -rf "$cache/decoded" && touch "$cache/decoded"
build "$WORK/spill"
echo "spill: $(decoded "$WORK/spill")"
[[ $(decoded "$WORK/spill") == "decoded $packages packages, 0 read from the decoded cache" ]] ||
  fail "without a writable decoded cache every package should be decoded"
grep -q "using a spill file" "$WORK/spill.stderr" || fail "no spill file reported"
same_outputs "$WORK/spill" "$WORK/good.sums" "build with spill files"
echo "ok"
