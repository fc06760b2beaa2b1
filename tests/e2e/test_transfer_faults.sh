#!/usr/bin/env bash
# Faults end to end (issue 18): a loopback mirror injects one fault at a time into an Alpine
# build — truncation, wrong bytes, 404/500, a stall, a trickle, a redirect loop, an endless
# body without Content-Length, an oversize package, a Content-Length bigger or smaller than
# the body. For each: exit 1 with an error naming the URL, nothing in out/, only verified
# entries in the cache and no temporary file, then, with the same cache and the server
# good again, the good build's outputs byte for byte. A server that fails once then works
# costs a retry only; a second mirror in `urls` serves when the first is bad, with the same
# image bytes and the report naming the mirror that served.
source "$(dirname "$0")/lib.sh"

make_mirror
# One server, two mirrors: /a is the faulty one, /b the same files.
mkdir "$WORK/served"
ln -s ../mirror "$WORK/served/a"
ln -s ../mirror "$WORK/served/b"
echo '{}' >"$WORK/faults.json"
start_http "$WORK/served" "$WORK/faults.json"
export SOURCE_DATE_EPOCH=1700000000
PACKAGES=(alpine-baselayout busybox busybox-binsh)
recipe=$WORK/r.toml
write_recipe "$recipe" "$HTTP_URL/a" "${PACKAGES[@]}"
sed -i 's/^formats = .*/formats = ["rootfs-tar", "oci"]/' "$recipe"
# Short bounds keep the stall and trickle cases quick.
FLAGS=(--stall-timeout 1 --file-timeout 3 --retries 1 -q)
index=/a/v3.22/main/x86_64/APKINDEX.tar.gz
package=/a/v3.22/main/x86_64/busybox-1.37.0-r18.apk

CACHE=$WORK/cache-good run_compose "$recipe" -o "$WORK/out-good" "${FLAGS[@]}" >/dev/null
record_outputs "$WORK/out-good" "$WORK/good.sums"
ls "$WORK/cache-good/sha256" >"$WORK/verified.list"

# only_verified CACHE WHAT: every entry is one the good build verified (and holds the bytes
# its name says), every key names an entry, and no temporary file is left.
only_verified() {
  local cache=$1 what=$2 entry
  for entry in "$cache"/sha256/*; do
    [[ -e "$entry" ]] || continue
    grep -qx "$(basename "$entry")" "$WORK/verified.list" ||
      fail "$what: an unverified entry entered the cache: $entry"
    [[ "$(sha256sum <"$entry" | cut -d' ' -f1)" == "$(basename "$entry")" ]] ||
      fail "$what: $entry does not hold the bytes its name says"
  done
  for entry in "$cache"/keys/*; do
    [[ -e "$entry" ]] || continue
    [[ -e "$cache/sha256/$(cat "$entry")" ]] || fail "$what: key $entry names no entry"
  done
  [[ -z "$(ls -A "$cache/tmp")" ]] || { ls -la "$cache/tmp" >&2; fail "$what: temporary files left"; }
}

# fault WHAT PATH BEHAVIOUR TEXT: with PATH answering BEHAVIOUR, the build fails saying TEXT
# and the URL; then the server is good again and the same cache gives the good outputs.
fault() {
  local what=$1 path=$2 behaviour=$3 text=$4
  echo "case: $what"
  printf '{"%s": ["always:%s"]}' "$path" "$behaviour" >"$WORK/faults.json"
  local cache=$WORK/cache-$RANDOM$RANDOM
  CACHE=$cache expect_failure "$text" "$recipe" "${FLAGS[@]}"
  grep -qF "$HTTP_URL$path" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$what: the URL is not named"; }
  only_verified "$cache" "$what"
  echo '{}' >"$WORK/faults.json"
  rm -rf "$WORK/out-again"
  CACHE=$cache run_compose "$recipe" -o "$WORK/out-again" "${FLAGS[@]}" >/dev/null
  same_outputs "$WORK/out-again" "$WORK/good.sums" "$what, server good again"
  only_verified "$cache" "$what, server good again"
  rm -rf "$cache"
}

fault "truncated index" "$index" "truncate:300" "APKINDEX.tar.gz"
fault "index with wrong bytes" "$index" "flip:-40" "index signature does not verify"
fault "index: HTTP 500 on every attempt" "$index" "status:500" "HTTP 500 (after 2 attempts)"
fault "package: HTTP 404" "$package" "status:404" "HTTP 404 (after 1 attempt)"
fault "package with wrong bytes" "$package" "flip:-12" "busybox-1.37.0-r18.apk"
fault "index stalls" "$index" "stall-after:100" "stalled: no data for 1 s (--stall-timeout)"
fault "index trickles below any speed limit" "$index" "trickle:200" \
  "not complete by the deadline for the file (--file-timeout)"
fault "index: redirect loop" "$index" "redirect-loop" "redirects followed"
fault "index: endless body, no Content-Length" "$index" "endless" \
  "larger than the 32 MiB limit for an index (raise it with max_index_size"
fault "package: longer than its signed size, no Content-Length" "$package" "oversize:100000000" \
  "larger than the expected"
fault "index: Content-Length bigger than the body" "$index" "drop-after:200" "(after 2 attempts)"
fault "index: Content-Length smaller than the body" "$index" "announce:500" "APKINDEX.tar.gz"

echo "case: max_index_size lowers the index ceiling (and names the setting)"
sed 's/^keys = .*/&\nmax_index_size = "1K"/' "$recipe" >"$WORK/small.toml"
expect_failure "larger than the 1 KiB limit for an index" "$WORK/small.toml" "${FLAGS[@]}"

echo "case: fails once, then works: one retry, the good build"
printf '{"%s": ["status:503"], "%s": ["drop-after:100"]}' "$index" "$package" >"$WORK/faults.json"
rm -rf "$WORK/out-retry"
CACHE=$WORK/cache-retry run_compose "$recipe" -o "$WORK/out-retry" "${FLAGS[@]}" >/dev/null
same_outputs "$WORK/out-retry" "$WORK/good.sums" "fail once"
[[ $(grep -cx "$index" "$WORK/http.log") -ge 2 ]] || fail "the index was not asked for again"

echo "case: a second mirror in urls serves when the first fails or serves bad bytes"
sed "s|^url = .*|urls = [\"$HTTP_URL/a\", \"$HTTP_URL/b\"]|" "$recipe" >"$WORK/mirrors.toml"
grep -q '^urls = ' "$WORK/mirrors.toml" || fail "the recipe has no urls line"
# Its reference: the same recipe (its digest is in the SBOMs and the OCI annotations) built
# while the first mirror is good; the rootfs is the one-mirror build's.
echo '{}' >"$WORK/faults.json"
CACHE=$WORK/cache-mirror-good run_compose "$WORK/mirrors.toml" -o "$WORK/out-mirror-good" \
  "${FLAGS[@]}" >/dev/null
record_outputs "$WORK/out-mirror-good" "$WORK/mirror-good.sums"
grep -q '"served_by_other_mirrors"' "$WORK/out-mirror-good/e2e.result.json" &&
  fail "the first mirror served everything, yet the report names another"
cmp "$WORK/out-mirror-good/e2e.rootfs.tar" "$WORK/out-good/e2e.rootfs.tar" ||
  fail "a second mirror in urls changed the rootfs"
grep -v '\.result\.json$' "$WORK/mirror-good.sums" >"$WORK/image.sums"
for behaviour in "flip:-40" "status:404" "stall-after:100"; do
  printf '{"%s": ["always:%s"], "%s": ["always:status:500"]}' "$index" "$behaviour" "$package" \
    >"$WORK/faults.json"
  out=$WORK/out-mirror
  rm -rf "$out"
  CACHE=$WORK/cache-mirror-$behaviour run_compose "$WORK/mirrors.toml" -o "$out" "${FLAGS[@]}" \
    >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "mirror ($behaviour): the build failed"; }
  (cd "$out" && sha256sum -c --quiet "$WORK/image.sums") ||
    fail "mirror ($behaviour): the image differs from the one-mirror build's"
  only_verified "$WORK/cache-mirror-$behaviour" "mirror ($behaviour)"
  python3 - "$out/e2e.result.json" "$HTTP_URL" <<'PY' || fail "mirror ($behaviour): result.json"
import json, sys
report, url = json.load(open(sys.argv[1])), sys.argv[2]
served = report["served_by_other_mirrors"]
assert served[url + "/a/v3.22/main/x86_64/APKINDEX.tar.gz"] == url + "/b", served
assert served[url + "/a/v3.22/main/x86_64/busybox-1.37.0-r18.apk"] == url + "/b", served
assert all(r["index"].startswith(url + "/a/") for r in report["repositories"]), report
assert all(p["url"].startswith(url + "/a/") for p in report["packages"]), report
PY
done
# The image itself names the canonical mirror only.
tar -xOf "$out/e2e.rootfs.tar" etc/apk/repositories | grep -q "$HTTP_URL/a/" ||
  fail "/etc/apk/repositories does not name the first mirror"
tar -xOf "$out/e2e.rootfs.tar" etc/apk/repositories | grep -q "$HTTP_URL/b" &&
  fail "/etc/apk/repositories names the second mirror"

echo "case: both mirrors bad: one error listing both"
printf '{"*": ["always:status:404"]}' >"$WORK/faults.json"
expect_failure "$HTTP_URL/b/v3.22/main/x86_64/APKINDEX.tar.gz: HTTP 404" "$WORK/mirrors.toml" \
  "${FLAGS[@]}"
grep -qF "$HTTP_URL$index: HTTP 404" "$WORK/stderr" || fail "the first mirror's failure is not listed"
echo "ok"
