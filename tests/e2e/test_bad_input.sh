#!/usr/bin/env bash
# Every kind of bad input fails with a clear message, exit code 1 and nothing in out/.
source "$(dirname "$0")/lib.sh"

make_mirror
pristine=$WORK/pristine
cp -a "$WORK/mirror" "$pristine"
main=$WORK/mirror/v3.22/main/x86_64
reset_mirror() { rm -rf "$WORK/mirror" && cp -a "$pristine" "$WORK/mirror"; }
recipe=$WORK/r.toml
write_recipe "$recipe" "file://$WORK/mirror" "${BASE_PACKAGES[@]}"

echo "case: unsigned index"
drop_index_signature "$main/APKINDEX.tar.gz"
expect_failure "index is not signed" "$recipe"
reset_mirror

echo "case: index signed by an untrusted key"
trusted=$KEY
make_mirror "$WORK/other" v3.21 "$WORK/other-trust"
KEY=$trusted
cp "$WORK/other/v3.21/main/x86_64/APKINDEX.tar.gz" "$main/APKINDEX.tar.gz"
expect_failure "signed only by untrusted key(s)" "$recipe"
reset_mirror

echo "case: one flipped byte in the index"
flip_byte "$main/APKINDEX.tar.gz" -40
expect_failure "index signature does not verify" "$recipe"
reset_mirror

echo "case: one flipped byte in a control stream"
apk=$main/busybox-binsh-1.37.0-r18.apk
flip_byte "$apk" $(($(member_offset "$apk" 2) - 12))
expect_failure "busybox-binsh-1.37.0-r18.apk" "$recipe"
reset_mirror

echo "case: one flipped byte in a data stream"
apk=$main/alpine-baselayout-data-3.7.0-r0.apk
flip_byte "$apk" -12
expect_failure "alpine-baselayout-data-3.7.0-r0.apk" "$recipe"
reset_mirror

echo "case: one file whose checksum does not match"
write_recipe "$WORK/evil.toml" "file://$WORK/mirror" alpine-baselayout busybox evil-bad-file-checksum
expect_failure "etc/evil.conf" "$WORK/evil.toml"

echo "case: path traversal"
write_recipe "$WORK/evil.toml" "file://$WORK/mirror" alpine-baselayout evil-traversal
expect_failure "evil-traversal" "$WORK/evil.toml"

echo "case: absolute path"
write_recipe "$WORK/evil.toml" "file://$WORK/mirror" alpine-baselayout evil-absolute
expect_failure "evil-absolute" "$WORK/evil.toml"

echo "case: symlink escape"
write_recipe "$WORK/evil.toml" "file://$WORK/mirror" alpine-baselayout evil-symlink-escape
expect_failure "symlink" "$WORK/evil.toml"

echo "case: unsatisfiable request"
write_recipe "$WORK/unsat.toml" "file://$WORK/mirror" docker no-such-package
expect_failure "no-such-package: no provider in main, community" "$WORK/unsat.toml"

echo "case: malformed recipe"
printf 'name = "x"\ndistribution = "alpine"\nrelease = "3.22"\npackagez = []\n' >"$WORK/bad.toml"
expect_failure "bad.toml:4:1" "$WORK/bad.toml"

echo "case: a mirror that drops the connection mid-file, every time"
printf '{"/v3.22/main/x86_64/busybox-1.37.0-r18.apk": ["always:drop-after:4096"]}' >"$WORK/faults.json"
start_http "$WORK/mirror" "$WORK/faults.json"
write_recipe "$WORK/http.toml" "$HTTP_URL" "${BASE_PACKAGES[@]}"
expect_failure "$HTTP_URL/v3.22/main/x86_64/busybox-1.37.0-r18.apk" "$WORK/http.toml"
attempts=$(grep -c "busybox-1.37.0-r18.apk" "$WORK/http.log")
[[ $attempts -eq 4 ]] || fail "expected 1 attempt + 3 retries, saw $attempts"

echo "case: offline with an empty cache names what is missing"
CACHE=$WORK/empty-cache expect_failure "not in the cache" "$recipe" --offline
echo "ok"
