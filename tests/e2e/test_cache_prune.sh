#!/usr/bin/env bash
# compose cache and compose cache prune on a cache filled by a real build (bookworm procps
# from the local signed mirror): the listing counts every kind; prune without rules removes
# only a dead build's temporaries; --dry-run removes nothing; --derived drops parsed, decoded
# and gzip-blocks and the next build makes them again with identical outputs; --unused-for
# keeps what the last build used (builds mark use) and drops what it did not; --max-size
# drops derived data before downloads; a directory of another tool is never touched.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deb_lib.sh"
export SOURCE_DATE_EPOCH=1700000000
write_real_recipe "$WORK/recipe.toml" prune "$REAL_MIRROR"
cat >>"$WORK/recipe.toml" <<'TOML'

[outputs]
formats = ["rootfs-tar", "oci", "ext4"]
TOML
cache=$WORK/cache

build() { # build OUT [ARGS…]
  local out=$1
  shift
  rm -rf "$out"
  "$COMPOSE" "$WORK/recipe.toml" -o "$out" --cache-dir "$cache" -v "$@" >/dev/null 2>"$out.stderr" ||
    { cat "$out.stderr" >&2; fail "the build into $out failed"; }
}
count() { find "$cache/$1" -type f ! -name '*.sum' | wc -l; } # count KIND-DIRECTORY
# row KIND: that kind's line of `compose cache`.
row() { "$COMPOSE" cache --cache-dir "$cache" | awk -v kind="$1" '$1 == kind'; }

build "$WORK/first"
record_outputs "$WORK/first" "$WORK/good.sums"
for kind in downloads names parsed decoded gzip-blocks; do
  [[ -n $(row "$kind") ]] || { "$COMPOSE" cache --cache-dir "$cache" >&2; fail "no $kind row"; }
done
[[ $(row decoded | awk '{print $2}') -eq $(count decoded) ]] || fail "decoded entries miscounted"
[[ $(row downloads | awk '{print $2}') -eq $(count sha256) ]] || fail "downloads miscounted"
echo "listing: $(row downloads | tr -s ' ')"

# A dead build's temporaries (a day old), a live one's (fresh), another tool's directory.
touch -d '2 days ago' "$cache/tmp/download-dead" "$cache/decoded/tmp-dead.tar"
touch "$cache/tmp/download-live"
mkdir -p "$cache/microvm-kernel" && echo kernel >"$cache/microvm-kernel/vmlinux"
touch -d '400 days ago' "$cache/microvm-kernel/vmlinux" "$cache/microvm-kernel"
"$COMPOSE" cache prune --cache-dir "$cache" >"$WORK/prune.out"
grep -q "removed 2 entries" "$WORK/prune.out" || { cat "$WORK/prune.out" >&2; fail "expected 2 temporaries removed"; }
[[ ! -e $cache/tmp/download-dead && ! -e $cache/decoded/tmp-dead.tar ]] || fail "dead temporaries kept"
[[ -e $cache/tmp/download-live ]] || fail "a live build's temporary was removed"
rm "$cache/tmp/download-live"

decoded_before=$(count decoded)
"$COMPOSE" cache prune --cache-dir "$cache" --derived --dry-run >"$WORK/dry.out"
grep -q "^would remove decoded/" "$WORK/dry.out" || fail "--dry-run lists no decoded entry"
[[ $(count decoded) -eq $decoded_before ]] || fail "--dry-run removed entries"

"$COMPOSE" cache prune --cache-dir "$cache" --derived >/dev/null
for kind in parsed decoded gzip-blocks; do
  [[ $(count "$kind") -eq 0 ]] || fail "--derived left $kind entries"
done
[[ $(count sha256) -gt 0 ]] || fail "--derived removed downloads"
build "$WORK/after-derived" --offline
same_outputs "$WORK/after-derived" "$WORK/good.sums" "the build after --derived"
[[ $(count decoded) -eq $decoded_before ]] || fail "the build did not decode again"

# Age everything, then a build marks what it uses; an extra download nobody uses stays old.
find "$cache" -path "$cache/microvm-kernel" -prune -o -type f -exec touch -d '40 days ago' {} +
extra=$(printf 'unused' | sha256sum | cut -d' ' -f1)
printf 'unused' >"$cache/sha256/$extra"
touch -d '40 days ago' "$cache/sha256/$extra"
build "$WORK/marked" --offline
"$COMPOSE" cache prune --cache-dir "$cache" --unused-for 30 >"$WORK/unused.out"
[[ ! -e $cache/sha256/$extra ]] || fail "--unused-for kept an unused download"
grep -q "removed 1 entries" "$WORK/unused.out" || { cat "$WORK/unused.out" >&2; fail "--unused-for removed more than the unused download"; }
build "$WORK/after-unused" --offline
same_outputs "$WORK/after-unused" "$WORK/good.sums" "the build after --unused-for"

# Over a size: derived data goes first, downloads stay while that is enough.
# What prune counts: allocated blocks of the downloads and names (not their directories) and
# of the other tool's directory, which stays whatever the size.
kept_bytes=$( (find "$cache/sha256" "$cache/keys" -type f -printf '%b\n'
  find "$cache/microvm-kernel" -printf '%b\n') | awk '{s += $1} END {print s * 512}')
"$COMPOSE" cache prune --cache-dir "$cache" --max-size "$kept_bytes" >/dev/null
[[ $(count decoded) -eq 0 && $(count gzip-blocks) -eq 0 ]] || fail "--max-size kept derived data"
[[ $(count sha256) -gt 0 ]] || fail "--max-size removed downloads before derived data"
build "$WORK/after-size" --offline
same_outputs "$WORK/after-size" "$WORK/good.sums" "the build after --max-size"

# Everything but another tool's files: the offline build then names what is missing.
"$COMPOSE" cache prune --cache-dir "$cache" --max-size 0 >/dev/null
[[ $(count sha256) -eq 0 && $(count keys) -eq 0 ]] || fail "--max-size 0 kept downloads or names"
[[ -f $cache/microvm-kernel/vmlinux ]] || fail "another tool's directory was removed"
status=0
"$COMPOSE" "$WORK/recipe.toml" -o "$WORK/empty" --cache-dir "$cache" --offline 2>"$WORK/empty.stderr" >/dev/null || status=$?
[[ $status -eq 1 ]] && grep -q "compose: error:" "$WORK/empty.stderr" ||
  { cat "$WORK/empty.stderr" >&2; fail "an offline build from an emptied cache did not fail clearly"; }

# A bad size is a usage error naming the option.
status=0
"$COMPOSE" cache prune --cache-dir "$cache" --max-size 12Q 2>"$WORK/bad.stderr" || status=$?
[[ $status -eq 2 ]] && grep -q -- "--max-size" "$WORK/bad.stderr" ||
  { cat "$WORK/bad.stderr" >&2; fail "a bad --max-size was not refused as usage (status $status)"; }
echo "ok"
