#!/usr/bin/env bash
# apt's compression fallback on a copy of the real bookworm mirror: without Packages.xz (and
# its by-hash path) compose reads Packages.gz, which the signed Release also lists, says so
# and names it in the report and the lock; without .gz either, the plain Packages; without
# any, a clear error naming the URLs tried. A wrong .xz stays fatal even when .gz is there.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deb_lib.sh"
real=$REAL_MIRROR
dists=dists/bookworm/main/binary-amd64

# The digest the signed Release lists for a file below dists/bookworm/.
release_sha256() {
  awk -v path="$1" '/^SHA256:/ { on = 1; next } /^[^ ]/ { on = 0 } on && $3 == path { print $1 }' \
    "$real/dists/bookworm/InRelease"
}

# Packages.gz of the same Release, fetched once by its hash (by-hash keeps old files for a
# while) with apt's own helper, from the mirror this machine's apt uses; kept beside the
# mirror. When the archive no longer has it, the .gz step is skipped.
gz=$real.extra/Packages.gz
gz_sha=$(release_sha256 main/binary-amd64/Packages.gz)
if [[ ! -s "$gz" ]] || [[ $(sha256sum "$gz" | cut -d' ' -f1) != "$gz_sha" ]]; then
  mkdir -p "$real.extra"
  uri=$(APT_CONFIG=$real/.apt/apt.conf apt-get indextargets --format '$(REPO_URI)' | head -n1)
  /usr/lib/apt/apt-helper -qq download-file \
    "${uri%/}/$dists/by-hash/SHA256/$gz_sha" "$gz" "SHA256:$gz_sha" >/dev/null 2>&1 || rm -f "$gz"
fi

mkdir -p "$WORK/m"
cp -r "$real/dists" "$WORK/m/dists"
ln -s "$real/pool" "$WORK/m/pool"
rm -rf "$WORK/m/$dists"/*
write_real_recipe "$WORK/r.toml" fallback "$WORK/m"

# built FILE: builds and locks against the copy; the report, the lock and a warning name FILE.
built() {
  local file=$1 out=$WORK/out-${1//./-}
  "$COMPOSE" "$WORK/r.toml" -o "$out" --cache-dir "$WORK/cache-$file" -q >/dev/null \
    2>"$WORK/stderr" || { cat "$WORK/stderr"; fail "no build with only $file"; }
  grep -qF "Packages.xz is not on the mirror; using main/binary-amd64/$file" "$WORK/stderr" ||
    { cat "$WORK/stderr"; fail "no warning about the fallback to $file"; }
  sed "s/^/  /" "$WORK/stderr"
  python3 - "$out/fallback.result.json" "main/binary-amd64/$file" <<'PY' || fail "report for $file"
import json, sys
report, path = json.load(open(sys.argv[1])), sys.argv[2]
repository = report["repositories"][0]
assert repository["packages_file"] == path, repository
assert repository["index"].endswith("/" + path), repository
assert repository["packages_missing"][0].startswith("main/binary-amd64/Packages.xz ("), repository
assert "procps" in [p["name"] for p in report["packages"]]
assert any("is not on the mirror" in w for w in report["warnings"])
PY
  "$COMPOSE" lock "$WORK/r.toml" --cache-dir "$WORK/cache-$file" -q >/dev/null 2>&1 ||
    fail "no lock with only $file"
  python3 - "$WORK/r.lock.json" "main/binary-amd64/$file" <<'PY' || fail "lock for $file"
import json, sys
packages = json.load(open(sys.argv[1]))["repositories"][0]["packages"]
assert packages["path"] == sys.argv[2] and packages["url"].endswith(sys.argv[2]), packages
PY
  echo "only $file: built and locked from it"
}

if [[ -s "$gz" ]]; then
  echo "case: no Packages.xz, nor its by-hash path"
  cp "$gz" "$WORK/m/$dists/Packages.gz"
  built Packages.gz

  echo "case: a Packages.xz that differs from the Release stays fatal, even with .gz there"
  head -c 100000 "$real/$dists/Packages.xz" >"$WORK/m/$dists/Packages.xz"
  "$COMPOSE" show-packages "$WORK/r.toml" --cache-dir "$WORK/cache-bad" >/dev/null \
    2>"$WORK/stderr" && fail "a wrong Packages.xz was passed over"
  grep -qF "Packages.xz" "$WORK/stderr" || { cat "$WORK/stderr"; fail "the error does not name it"; }
  sed "s/^/  /" "$WORK/stderr"
  rm "$WORK/m/$dists/Packages.xz" "$WORK/m/$dists/Packages.gz"
else
  echo "case: Packages.gz skipped: the archive no longer serves the one this Release lists"
fi

echo "case: neither .xz nor .gz: the plain Packages"
xz -dc "$real/$dists/Packages.xz" >"$WORK/m/$dists/Packages"
[[ $(sha256sum "$WORK/m/$dists/Packages" | cut -d' ' -f1) == $(release_sha256 main/binary-amd64/Packages) ]] ||
  fail "the decompressed Packages is not the one the Release lists"
built Packages

echo "case: no Packages file at all"
rm "$WORK/m/$dists/Packages"
status=0
"$COMPOSE" show-packages "$WORK/r.toml" --cache-dir "$WORK/cache-none" >/dev/null \
  2>"$WORK/stderr" || status=$?
[[ $status == 1 ]] || { cat "$WORK/stderr"; fail "expected exit 1, got $status"; }
sed "s/^/  /" "$WORK/stderr"
for expected in "no Packages file the Release lists for bookworm/main/binary-amd64/Packages is on the mirror" \
  "file://$WORK/m/$dists/Packages.xz" "file://$WORK/m/$dists/Packages.gz" "file://$WORK/m/$dists/Packages:"; do
  grep -qF "$expected" "$WORK/stderr" || fail "the error lacks: $expected"
done
echo "ok"
