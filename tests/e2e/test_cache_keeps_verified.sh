#!/usr/bin/env bash
# The cache keeps only verified bytes (Alpine): after a good build, every tampered mirror is
# refused with a clear error and nothing in out/, no rejected byte and no temporary file is
# left in the cache, and an --offline build still builds, byte for byte, from the verified
# copies of the first build.
source "$(dirname "$0")/lib.sh"

make_mirror
pristine=$WORK/pristine
cp -a "$WORK/mirror" "$pristine"
main=$WORK/mirror/v3.22/main/x86_64
reset_mirror() { rm -rf "$WORK/mirror" && cp -a "$pristine" "$WORK/mirror"; }
recipe=$WORK/r.toml
write_recipe "$recipe" "file://$WORK/mirror" "${BASE_PACKAGES[@]}"
export CACHE=$WORK/cache SOURCE_DATE_EPOCH=1700000000

run_compose "$recipe" -o "$WORK/out-good" -q >/dev/null 2>"$WORK/good.stderr"
record_outputs "$WORK/out-good" "$WORK/good.sums"

# after_refusal CASE TAMPERED-FILE: the cache holds no copy of the tampered bytes and no
# temporary file, and an offline build gives the good build's outputs.
after_refusal() {
  local name=$1 tampered
  tampered=$(sha256sum "$2" | cut -d' ' -f1)
  # Listed to a file first: grep -q ending a pipe early would fail it under pipefail.
  find "$CACHE" -type f -exec sha256sum {} + >"$WORK/cache.sums"
  if grep -q "^$tampered " "$WORK/cache.sums"; then
    fail "$name: the rejected bytes are in the cache"
  fi
  [[ -z "$(ls -A "$CACHE/tmp")" ]] || { ls -la "$CACHE/tmp" >&2; fail "$name: temporary files left"; }
  local out=$WORK/out-offline
  rm -rf "$out"
  run_compose "$recipe" -o "$out" -q --offline >/dev/null 2>"$WORK/offline.stderr" ||
    { cat "$WORK/offline.stderr" >&2; fail "$name: the offline build failed after the refusal"; }
  same_outputs "$out" "$WORK/good.sums" "$name"
  echo "  refused, nothing cached, offline build identical"
}

echo "case: one flipped byte in the index (signature does not verify)"
flip_byte "$main/APKINDEX.tar.gz" -40
expect_failure "index signature does not verify" "$recipe"
after_refusal "flipped index" "$main/APKINDEX.tar.gz"
reset_mirror

echo "case: a well-formed index signed by another key"
trusted=$KEY
make_mirror "$WORK/other" v3.21 "$WORK/other-trust"
KEY=$trusted
cp "$WORK/other/v3.21/main/x86_64/APKINDEX.tar.gz" "$main/APKINDEX.tar.gz"
expect_failure "signed only by untrusted key(s)" "$recipe"
after_refusal "other key" "$main/APKINDEX.tar.gz"
reset_mirror

echo "case: a well-formed index without its signature"
drop_index_signature "$main/APKINDEX.tar.gz"
expect_failure "index is not signed" "$recipe"
after_refusal "unsigned index" "$main/APKINDEX.tar.gz"
reset_mirror

echo "case: a package with wrong bytes, served while its cached copy is missing"
apk=$main/busybox-1.37.0-r18.apk
flip_byte "$apk" -12
# The verified copy must be fetched again: take it out, keep it aside, refuse, put it back.
good_apk=$(sha256sum "$pristine/v3.22/main/x86_64/busybox-1.37.0-r18.apk" | cut -d' ' -f1)
mv "$CACHE/sha256/$good_apk" "$WORK/busybox.verified"
expect_failure "busybox-1.37.0-r18.apk" "$recipe"
mv "$WORK/busybox.verified" "$CACHE/sha256/$good_apk"
after_refusal "wrong package bytes" "$apk"
reset_mirror

# Over HTTP (its recipe names other URLs, so it fills the cache for them first). The server
# serves the main index whole twice (the good build, the wrong-bytes case), then cuts it off
# after 300 bytes on the four attempts of the cut-off case.
printf '{"/v3.22/main/x86_64/APKINDEX.tar.gz": ["ok", "ok", %s]}' \
  '"drop-after:300", "drop-after:300", "drop-after:300", "drop-after:300"' >"$WORK/faults.json"
start_http "$WORK/mirror" "$WORK/faults.json"
recipe=$WORK/http.toml
write_recipe "$recipe" "$HTTP_URL" "${BASE_PACKAGES[@]}"
run_compose "$recipe" -o "$WORK/out-http" -q >/dev/null 2>"$WORK/good.stderr"
record_outputs "$WORK/out-http" "$WORK/good.sums"

echo "case: over HTTP, an index with wrong bytes"
flip_byte "$main/APKINDEX.tar.gz" -40
expect_failure "index signature does not verify" "$recipe"
grep -qF "$HTTP_URL/v3.22/main/x86_64/APKINDEX.tar.gz" "$WORK/stderr" || fail "the URL is not named"
after_refusal "HTTP wrong index bytes" "$main/APKINDEX.tar.gz"
reset_mirror

echo "case: over HTTP, an index cut off mid-body on every attempt"
head -c 300 "$main/APKINDEX.tar.gz" >"$WORK/cut-index"
expect_failure "$HTTP_URL/v3.22/main/x86_64/APKINDEX.tar.gz" "$recipe"
after_refusal "HTTP cut-off index" "$WORK/cut-index"
echo "ok"
