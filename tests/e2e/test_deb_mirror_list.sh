#!/usr/bin/env bash
# A Debian repository with urls = [first, second]: when the first mirror serves an InRelease
# whose signature fails, lacks the Packages index, and serves a package with wrong bytes,
# each file comes from the second mirror; the image is the one the good first mirror gives
# (it names the first mirror only) and the report names the files the second one served.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deb_lib.sh"
export SOURCE_DATE_EPOCH=1700000000
copy_real_mirror "$WORK/first"
copy_real_mirror "$WORK/second"
write_real_recipe "$WORK/r.toml" deb-mirrors "$WORK/first"
sed -i "s|^url = .*|urls = [\"file://$WORK/first\", \"file://$WORK/second\"]|" "$WORK/r.toml"
grep -q '^urls = ' "$WORK/r.toml" || fail "the recipe has no urls line"

"$COMPOSE" "$WORK/r.toml" --cache-dir "$WORK/cache-good" -o "$WORK/out-good" -q >/dev/null
grep -q served_by_other_mirrors "$WORK/out-good/deb-mirrors.result.json" &&
  fail "the good first mirror served everything, yet the report names another"

dists=$WORK/first/dists/bookworm
flip_byte "$dists/InRelease" 200
rm -rf "$dists/main/binary-amd64"
deb=$(find "$WORK/first/pool" -name 'procps_*.deb')
cp --remove-destination "$(readlink -f "$deb")" "$deb"
flip_byte "$deb" -100

"$COMPOSE" "$WORK/r.toml" --cache-dir "$WORK/cache-bad" -o "$WORK/out-bad" -q >/dev/null 2>"$WORK/stderr" ||
  { cat "$WORK/stderr" >&2; fail "the second mirror did not stand in for the first"; }
for file in "$WORK"/out-good/*; do
  name=$(basename "$file")
  [[ "$name" == *.result.json ]] && continue
  cmp -s "$file" "$WORK/out-bad/$name" || fail "$name differs when the second mirror serves"
done
python3 - "$WORK/out-bad/deb-mirrors.result.json" "file://$WORK" <<'PY' || fail "result.json"
import json, sys
report, base = json.load(open(sys.argv[1])), sys.argv[2]
served = report["served_by_other_mirrors"]
assert served[base + "/first/dists/bookworm/InRelease"] == base + "/second", served
assert any(url.startswith(base + "/first/dists/bookworm/main/binary-amd64/") for url in served), served
assert any(url.startswith(base + "/first/pool/") and "procps_" in url for url in served), served
assert all(v == base + "/second" for v in served.values()), served
PY
tar -xOf "$WORK/out-bad/deb-mirrors.rootfs.tar" etc/apt/sources.list.d/compose.sources \
  >"$WORK/compose.sources"
grep -q "file://$WORK/first" "$WORK/compose.sources" || fail "apt's sources lack the first mirror"
grep -q second "$WORK/compose.sources" && fail "apt's sources name the second mirror"
echo "ok"
