#!/usr/bin/env bash
# compose lock and build --locked. Alpine (a generated mirror, its signing key kept so the
# mirror can be updated): the lock pins indexes, keys, packages, the pinned file, the release
# and the epoch; locked builds with different output and cache directories, HOME,
# SOURCE_DATE_EPOCH and user (root, nobody) give the same bytes as each other and as a plain build at the lock's
# epoch; after the mirror gains a newer package a plain build picks the new one, while a
# locked build needs the locked (signed) index: refused from an empty cache, the old set byte
# for byte from the cache that kept it; a recipe
# edited after locking and a locked package gone from the mirror fail, naming what differs.
# Debian (the test mirror, one small package set): lock, two locked builds, same bytes; a
# locked package whose digest differs from its signed stanza fails naming both; a mirror with Release + Release.gpg
# and no InRelease locks both, builds and bundles.
source "$(dirname "$0")/lib.sh"

# recipe_with_pin FILE URL: the Alpine recipe plus a pinned download and ${version} tags.
recipe_with_pin() {
  COMPRESSION=gzip write_recipe "$1" "$2" "${BASE_PACKAGES[@]}"
  sed -i 's/^tags = .*/tags = ["${version}-e2e", "latest"]/' "$1"
  cat >>"$1" <<TOML

[[files]]
path = "/usr/local/bin/docker-compose"
url = "file://$WORK/downloads/v2.40.0/docker-compose-linux-x86_64"
sha256 = "$(sha256sum "$WORK/downloads/v2.40.0/docker-compose-linux-x86_64" | cut -d' ' -f1)"
mode = "0755"
TOML
}

# json FILE EXPRESSION: a Python expression over the parsed JSON document `d`.
json() {
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# same_outputs DIR-A DIR-B NAME: OCI, ext4 and rootfs byte for byte.
same_outputs() {
  for suffix in oci.tar ext4 rootfs.tar; do
    cmp "$1/$3.$suffix" "$2/$3.$suffix" || fail "$3.$suffix differs between $1 and $2"
  done
}

mkdir -p "$WORK/downloads/v2.40.0"
printf '#!/bin/sh\necho "Docker Compose version v2.40.0"\n' >"$WORK/downloads/v2.40.0/docker-compose-linux-x86_64"
KEY=$("$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/trust" \
  --private-key "$WORK/mirror-signing.pem")
recipe_with_pin "$WORK/r.toml" "file://$WORK/mirror"

# ---- lock ---------------------------------------------------------------------------------
written=$(SOURCE_DATE_EPOCH=1600000000 run_compose lock "$WORK/r.toml" --release 1.0.0 -q)
lock=$WORK/r.lock.json
[[ "$written" == "$lock" ]] || fail "lock printed '$written', expected $lock"
[[ $(json "$lock" 'd["format"]') == 1 ]] || fail "format version"
[[ $(json "$lock" 'd["epoch"]') == 1600000000 ]] || fail "the lock's epoch is not SOURCE_DATE_EPOCH"
[[ $(json "$lock" 'd["release"]["version"]') == 1.0.0 ]] || fail "release version not locked"
[[ $(json "$lock" 'd["recipe"]["digest"]') == sha256:* ]] || fail "no recipe digest"
[[ $(json "$lock" 'len(d["repositories"])') == 2 ]] || fail "repositories"
[[ $(json "$lock" 'd["repositories"][0]["index"]["sha256"]') == \
  $(sha256sum "$WORK/mirror/v3.22/main/x86_64/APKINDEX.tar.gz" | cut -d' ' -f1) ]] ||
  fail "the APKINDEX digest in the lock is not the file's"
[[ $(json "$lock" 'd["keys"][0]["sha256"]') == $(sha256sum "$WORK/trust/$KEY" | cut -d' ' -f1) ]] ||
  fail "the key digest in the lock is not the key file's"
[[ $(json "$lock" 'd["files"][0]["url"]') == *v2.40.0/docker-compose-linux-x86_64 ]] ||
  fail "pinned file not locked"
json "$lock" '[p["name"] + " " + p["version"] for p in d["packages"]]' | grep -q "supervisor 4.2.5-r5" ||
  fail "supervisor 4.2.5-r5 not locked"
json "$lock" 'all(p["digests"]["apk-identity"].startswith("Q1") and p["size"] > 0 and p["record"] for p in d["packages"])' |
  grep -qx True || fail "a package lacks its digest, size or record"
# The index's C: covers only the control part (SHA-1): the lock also pins each whole file.
[[ $(json "$lock" '[p["digests"]["sha256"] for p in d["packages"] if p["name"] == "supervisor"][0]') == \
  $(sha256sum "$WORK/mirror/v3.22/community/x86_64/supervisor-4.2.5-r5.apk" | cut -d' ' -f1) ]] ||
  fail "the lock's sha256 of supervisor is not the file's"
# Locking is deterministic: again, from another cache, the same bytes.
cp "$lock" "$WORK/first.lock.json"
SOURCE_DATE_EPOCH=1600000000 CACHE=$WORK/cache-relock run_compose lock "$WORK/r.toml" --release 1.0.0 -q >/dev/null
cmp "$lock" "$WORK/first.lock.json" || fail "a second lock differs"

# ---- two locked builds: other directories, HOME, SOURCE_DATE_EPOCH --------------------------
mkdir -p "$WORK/home-a" "$WORK/home-b"
HOME=$WORK/home-a SOURCE_DATE_EPOCH=1700000000 CACHE=$WORK/cache-a \
  run_compose build "$WORK/r.toml" --locked -o "$WORK/a" -q >/dev/null 2>"$WORK/a.stderr"
grep -q "SOURCE_DATE_EPOCH=1700000000 is ignored" "$WORK/a.stderr" || fail "no note that the lock's epoch wins"
HOME=$WORK/home-b SOURCE_DATE_EPOCH=1800000000 CACHE=$WORK/cache-b \
  run_compose build "$WORK/r.toml" --lock "$lock" -o "$WORK/b" -q >/dev/null 2>/dev/null
same_outputs "$WORK/a" "$WORK/b" e2e
# Another user altogether (nobody, with its own HOME and cache): compose needs no root.
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
  chmod 711 "$WORK"
  mkdir -p "$WORK/nobody"
  chown 65534:65534 "$WORK/nobody"
  # Its cache is the default one under its own HOME, whatever XDG_CACHE_HOME says.
  env -u XDG_CACHE_HOME HOME=$WORK/nobody SOURCE_DATE_EPOCH=1900000000 setpriv --reuid=65534 --regid=65534 --clear-groups \
    "$COMPOSE" build "$WORK/r.toml" --locked -o "$WORK/nobody/out" --trust-dir "$WORK/trust" \
    --keys-dir "$WORK/trust" -q >/dev/null 2>"$WORK/nobody.stderr" ||
    { cat "$WORK/nobody.stderr" >&2; fail "the locked build as nobody"; }
  [[ -d "$WORK/nobody/.cache/compose" ]] || fail "nobody's build did not use its own cache"
  same_outputs "$WORK/a" "$WORK/nobody/out" e2e
  echo "built as nobody: same bytes"
fi
[[ $(json "$WORK/a/e2e.result.json" 'd["epoch"]') == 1600000000 ]] || fail "the lock's epoch did not win"
[[ $(json "$WORK/a/e2e.result.json" 'd["lock"]["file"] + " " + d["lock"]["sha256"]') == \
  "r.lock.json $(sha256sum "$lock" | cut -d' ' -f1)" ]] || fail "the report does not name the lock"
[[ $(json "$WORK/a/e2e.result.json" 'd["release"]["version"]') == 1.0.0 ]] || fail "the report lacks the release"
cmp "$WORK/a/e2e.result.json" "$WORK/b/e2e.result.json" || fail "the two locked builds' reports differ"
tar -xOf "$WORK/a/e2e.oci.tar" index.json | grep -q '"1.0.0-e2e"' || fail "the locked release is not in the tags"
# Offline, a locked build needs only the cached packages, pinned file, keys and locked indexes.
CACHE=$WORK/cache-a run_compose build "$WORK/r.toml" --locked --offline -o "$WORK/offline" -q >/dev/null
same_outputs "$WORK/a" "$WORK/offline" e2e
# A plain build at the lock's epoch and release gives the same filesystem bytes: the lock
# changes nothing in the image but its manifest's compose.lock annotation (provenance: which
# lock pinned it), so the OCI layer and config are the same blobs.
SOURCE_DATE_EPOCH=1600000000 CACHE=$WORK/cache-a run_compose "$WORK/r.toml" --release 1.0.0 \
  -o "$WORK/plain" -q >/dev/null
for suffix in ext4 rootfs.tar; do
  cmp "$WORK/a/e2e.$suffix" "$WORK/plain/e2e.$suffix" || fail "e2e.$suffix: a plain build differs"
done
python3 - "$WORK/a/e2e.oci.tar" "$WORK/plain/e2e.oci.tar" "$(sha256sum <"$lock" | cut -d' ' -f1)" <<'PY2' ||
import json, sys, tarfile
def manifest(path):
    tar = tarfile.open(path)
    index = json.load(tar.extractfile("index.json"))
    digest = index["manifests"][0]["digest"].split(":")[1]
    return json.load(tar.extractfile("blobs/sha256/" + digest))
locked, plain = manifest(sys.argv[1]), manifest(sys.argv[2])
assert locked["annotations"].pop("compose.lock") == "sha256:" + sys.argv[3], "compose.lock"
assert "compose.lock" not in plain["annotations"]
assert locked == plain, "the manifests differ in more than compose.lock"
PY2
  fail "the OCI manifests of the locked and the plain build"
# --release overrides the locked one.
CACHE=$WORK/cache-a run_compose build "$WORK/r.toml" --locked --release 2.0.0 -o "$WORK/release2" -q >/dev/null
tar -xOf "$WORK/release2/e2e.oci.tar" index.json | grep -q '"2.0.0-e2e"' || fail "--release did not override the lock"

# ---- the mirror moves on: a newer supervisor, re-signed by the same key -------------------
"$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/trust" \
  --private-key "$WORK/mirror-signing.pem" --add-version supervisor=4.2.5-r6 >/dev/null
[[ $(sha256sum <"$WORK/mirror/v3.22/community/x86_64/APKINDEX.tar.gz") != \
  $(json "$lock" 'd["repositories"][1]["index"]["sha256"]')"  -" ]] || fail "the index did not change"
CACHE=$WORK/cache-new run_compose "$WORK/r.toml" --release 1.0.0 -o "$WORK/unlocked" -q >/dev/null
json "$WORK/unlocked/e2e.result.json" '[p["version"] for p in d["packages"] if p["name"] == "supervisor"]' |
  grep -q "4.2.5-r6" || fail "a plain build did not pick the newer supervisor"
# The locked build verifies the very index the lock pins again: the mirror serves only the
# new one now, so from an empty cache it is refused …
CACHE=$WORK/cache-c expect_failure "a signed index the lock pins is not available" "$WORK/r.toml" --locked
# … and from the cache that verified the locked index before, it builds the old set, without
# reading any index from the mirror: hide them.
cp -a "$WORK/cache-a" "$WORK/cache-kept"
for index in "$WORK"/mirror/v3.22/*/x86_64/APKINDEX.tar.gz; do mv "$index" "$index.hidden"; done
CACHE=$WORK/cache-kept run_compose build "$WORK/r.toml" --locked -o "$WORK/c" -q >/dev/null
for index in "$WORK"/mirror/v3.22/*/x86_64/APKINDEX.tar.gz.hidden; do mv "$index" "${index%.hidden}"; done
same_outputs "$WORK/a" "$WORK/c" e2e
json "$WORK/c/e2e.result.json" '[p["version"] for p in d["packages"] if p["name"] == "supervisor"]' |
  grep -q "4.2.5-r5" || fail "the locked build did not keep supervisor 4.2.5-r5"

# The mirror as it was (the same key signs the same index bytes again), for the cases below.
"$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/trust" \
  --private-key "$WORK/mirror-signing.pem" >/dev/null
[[ $(sha256sum <"$WORK/mirror/v3.22/community/x86_64/APKINDEX.tar.gz") == \
  $(json "$lock" 'd["repositories"][1]["index"]["sha256"]')"  -" ]] || fail "the index is not the locked one again"

# ---- disagreements ----------------------------------------------------------------------------
cp "$WORK/r.toml" "$WORK/r.toml.orig"
sed -i 's/"dcron"\]/"dcron", "podman"]/' "$WORK/r.toml"
expect_failure "the recipe and its lock disagree" "$WORK/r.toml" --locked
grep -qF "'r.toml' changed since locking" "$WORK/stderr" || fail "the changed recipe file is not named"
grep -qF "the recipe requests 'podman', which no locked package satisfies" "$WORK/stderr" ||
  fail "the request missing from the lock is not named"
cp "$WORK/r.toml.orig" "$WORK/r.toml"
# A lock whose whole-file digest of a package is not the file's.
cp "$lock" "$WORK/r.lock.json.orig"
python3 - "$lock" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for p in d["packages"]:
    if p["name"] == "supervisor":
        p["digests"]["sha256"] = "0" * 64
json.dump(d, open(sys.argv[1], "w"), indent=2, sort_keys=True)
PY
CACHE=$WORK/cache-digest expect_failure "supervisor-4.2.5-r5.apk: sha256 is" "$WORK/r.toml" --locked
cp "$WORK/r.lock.json.orig" "$lock"
# A locked package gone from the mirror (as Alpine drops old builds).
rm "$WORK/mirror/v3.22/community/x86_64/supervisor-4.2.5-r5.apk"
expect_failure "a locked package or file is not available as locked: cannot fetch supervisor-4.2.5-r5.apk" \
  "$WORK/r.toml" --locked
expect_failure "no lock file" "$WORK/r.toml" --lock "$WORK/none.lock.json"
echo "alpine: ok"

# ---- Debian: the test mirror, a small set ---------------------------------------------------
if ! command -v apt-get >/dev/null; then
  echo "apt-get missing: Debian part skipped"
  exit 0
fi
mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror"
cat >"$WORK/deb.toml" <<TOML
name = "bookworm-lock"
distribution = "debian"
release = "bookworm"
architecture = "amd64"
base = "none"
packages = ["mawk"]

[[repositories]]
url = "file://$mirror"
suites = ["\${release}"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]

[outputs]
formats = ["rootfs-tar", "oci", "ext4"]
TOML
deb_lock=$WORK/deb.lock.json
env -u SOURCE_DATE_EPOCH "$COMPOSE" lock "$WORK/deb.toml" --cache-dir "$WORK/deb-cache" -q >/dev/null
[[ $(json "$deb_lock" 'd["repositories"][0]["index"]["sha256"]') == \
  $(sha256sum "$mirror/dists/bookworm/InRelease" | cut -d' ' -f1) ]] || fail "InRelease digest"
[[ $(json "$deb_lock" 'd["repositories"][0]["packages"]["sha256"]') == \
  $(sha256sum "$mirror/dists/bookworm/main/binary-amd64/Packages.xz" | cut -d' ' -f1) ]] ||
  fail "Packages digest"
json "$deb_lock" 'd["keys"][0]["fingerprints"]' | grep -q "[0-9a-fA-F]\{40\}" || fail "no key fingerprint"
json "$deb_lock" '[p["name"] for p in d["packages"]]' | grep -q "'mawk'" || fail "mawk not locked"
HOME=$WORK/home-a SOURCE_DATE_EPOCH=1 "$COMPOSE" build "$WORK/deb.toml" --locked -o "$WORK/deb-a" \
  --cache-dir "$WORK/deb-cache-a" -q >/dev/null 2>&1 || fail "locked Debian build a"
HOME=$WORK/home-b SOURCE_DATE_EPOCH=2 "$COMPOSE" build "$WORK/deb.toml" --locked -o "$WORK/deb-b" \
  --cache-dir "$WORK/deb-cache-b" -q >/dev/null 2>&1 || fail "locked Debian build b"
same_outputs "$WORK/deb-a" "$WORK/deb-b" bookworm-lock
[[ $(json "$WORK/deb-a/bookworm-lock.result.json" 'd["epoch"]') == $(json "$deb_lock" 'd["epoch"]') ]] ||
  fail "the Debian lock's epoch did not win"
# A locked package whose digest differs from the mirror's file (entry and stanza agree).
python3 - "$deb_lock" "$WORK/deb-bad.lock.json" <<'PY'
import json, sys
lock = json.load(open(sys.argv[1]))
package = next(p for p in lock["packages"] if p["name"] == "mawk")
bad = "0" * 64
package["record"] = package["record"].replace(package["digests"]["sha256"], bad)
package["digests"]["sha256"] = bad
json.dump(lock, open(sys.argv[2], "w"), indent=2, sort_keys=True)
PY
status=0
"$COMPOSE" build "$WORK/deb.toml" --lock "$WORK/deb-bad.lock.json" -o "$WORK/deb-bad" \
  --cache-dir "$WORK/deb-cache-bad" -q >/dev/null 2>"$WORK/stderr" || status=$?
[[ $status == 1 ]] || fail "a wrong locked digest did not fail"
grep -q "the lock's entry for mawk .* differs from the signed index .*Packages.xz: sha256 '0\{64\}' in the lock" "$WORK/stderr" ||
  { cat "$WORK/stderr"; fail "the failure does not name mawk and its signed index"; }
[[ ! -e "$WORK/deb-bad" ]] || fail "output left behind"

# A mirror without InRelease (Release + Release.gpg, as older mirrors serve): both files are
# locked, the locked build and a bundle of it work, and the bundle verifies.
cp -as "$mirror" "$WORK/detached"
rm "$WORK/detached/dists/bookworm/InRelease"
sed "s|file://$mirror|file://$WORK/detached|" "$WORK/deb.toml" >"$WORK/detached.toml"
env -u SOURCE_DATE_EPOCH "$COMPOSE" lock "$WORK/detached.toml" --cache-dir "$WORK/deb-cache" -q >/dev/null ||
  fail "lock from Release + Release.gpg"
detached_lock=$WORK/detached.lock.json
[[ $(json "$detached_lock" 'd["repositories"][0]["index"]["url"]') == */dists/bookworm/Release ]] ||
  fail "the detached lock's index is not the Release"
[[ $(json "$detached_lock" 'd["repositories"][0]["index"]["sha256"] + " " + d["repositories"][0]["signature"]["sha256"]') == \
  "$(sha256sum <"$mirror/dists/bookworm/Release" | cut -d' ' -f1) $(sha256sum <"$mirror/dists/bookworm/Release.gpg" | cut -d' ' -f1)" ]] ||
  fail "the Release and Release.gpg digests in the lock are not the files'"
"$COMPOSE" build "$WORK/detached.toml" --locked -o "$WORK/deb-detached" --cache-dir "$WORK/deb-cache-d" \
  -q >/dev/null 2>&1 || fail "locked build from Release + Release.gpg"
cmp <(tar -tvf "$WORK/deb-a/bookworm-lock.rootfs.tar" | grep -v etc/apt) \
  <(tar -tvf "$WORK/deb-detached/bookworm-lock.rootfs.tar" | grep -v etc/apt) ||
  fail "the detached-signature build installed another tree"
"$COMPOSE" bundle "$WORK/detached.toml" -o "$WORK/detached.tar" --cache-dir "$WORK/deb-cache" -q >/dev/null ||
  fail "bundle from Release + Release.gpg"
# (Listed to a file: `tar -t | grep -q` under pipefail fails when grep stops reading early.)
tar -tf "$WORK/detached.tar" >"$WORK/detached.list"
grep -q "dists/bookworm/Release.gpg$" "$WORK/detached.list" || fail "the bundle lacks Release.gpg"
# The index signatures are the point here, not the producer's (test_bundle_signing.sh).
"$COMPOSE" verify "$WORK/detached.tar" --trust-bundle-keys -q >/dev/null 2>&1 ||
  fail "the detached-signature bundle does not verify"
echo "debian: ok"
