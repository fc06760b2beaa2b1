#!/usr/bin/env bash
# compose bundle / verify / build --from-bundle. Two Alpine recipes on a generated mirror (one
# locked beforehand, one locked by `compose bundle`; one with a pinned download, the other
# with a fragment and a source file) go into one bundle; the bundle is deterministic, verifies,
# and builds each recipe with the mirror gone and no network (`unshare -n`) into the same OCI
# and ext4 bytes as an online build of the same lock. One flipped byte in each kind of member
# (signed index, key, trust file, package, pinned file, lock, recipe, fragment, manifest) makes
# both `compose verify` and `--from-bundle` fail naming the member, with nothing in out/; so do
# members changed together with the manifest (the signature, index record and lock checks).
# The producer's signature, and refusing bundles without one, are test_bundle_signing.sh's
# subject; here every verify and build says --trust-bundle-keys (the bundle's own keys
# trusted), so the checks beneath the signature are reached even for a re-manifested bundle.
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
TRUST=(--trust-bundle-keys)

# json FILE EXPRESSION: a Python expression over the parsed JSON document `d`.
json() {
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# tamper TAR OUT MEMBER [remanifest | record=NAME]: OUT is TAR with one byte of MEMBER flipped
# (the middle one). "remanifest": the manifest is rewritten to list the changed member's new
# digest. "record=NAME": MEMBER is a lock whose record of package NAME gets another
# description (T: or Description:), and the manifest is rewritten to match.
tamper() {
  python3 - "$@" <<'PY'
import hashlib, io, json, sys, tarfile
source, target, name = sys.argv[1:4]
mode = sys.argv[4] if len(sys.argv) > 4 else "flip"
with tarfile.open(source) as tar:
    members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
found = [i for i, (m, _) in enumerate(members) if m.name == name]
assert found, f"no member {name}"
member, data = members[found[0]]
if mode.startswith("record="):
    lock = json.loads(data)
    package = next(p for p in lock["packages"] if p["name"] == mode[7:])
    record = package["record"]
    for field in ("\nT:", "\nDescription:"):
        record = record.replace(field, field + " tampered", 1)
    assert record != package["record"], "no description to change"
    package["record"] = record
    data = (json.dumps(lock, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
else:
    data = bytearray(data)
    data[len(data) // 2] ^= 1
    data = bytes(data)
members[found[0]] = (member, data)
if mode != "flip":
    manifest = json.loads(members[0][1])
    for entry in manifest["members"]:
        if entry["path"] == name:
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            entry["size"] = len(data)
    text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    members[0] = (members[0][0], text.encode())
with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as out:
    for info, content in members:
        info.size = len(content)
        out.addfile(info, io.BytesIO(content))
PY
}

# rejected TAR MEMBER TEXT: verify and --from-bundle both exit 1 naming MEMBER (and TEXT),
# and the build leaves nothing in its output directory.
rejected() {
  local tar=$1 member=$2 text=$3 status
  for verb in verify build; do
    status=0
    rm -rf "$WORK/out-fail"
    if [[ $verb == verify ]]; then
      "$COMPOSE" verify "$tar" "${TRUST[@]}" >/dev/null 2>"$WORK/stderr" || status=$?
    else
      "$COMPOSE" build --from-bundle "$tar" "${BUNDLE_RECIPE:-one}" "${TRUST[@]}" -o "$WORK/out-fail" -q >/dev/null \
        2>"$WORK/stderr" || status=$?
    fi
    [[ $status -eq 1 ]] || { cat "$WORK/stderr" >&2; fail "$verb of $member: exit $status, expected 1"; }
    grep -qF -- "$member" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$verb does not name $member"; }
    grep -qF -- "$text" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "$verb of $member lacks: $text"; }
    [[ $verb == verify ]] && echo "  $verb: $(grep -m1 '^compose: error: ' "$WORK/stderr")"
    if [[ -e "$WORK/out-fail" ]] && [[ -n "$(ls -A "$WORK/out-fail")" ]]; then
      fail "$verb of a bundle with a bad $member left output behind"
    fi
  done
}

# ---- two recipes, one of them locked beforehand -----------------------------------------
mkdir -p "$WORK/downloads/v2.40.0" "$WORK/recipes/fragments" "$WORK/recipes/files"
printf '#!/bin/sh\necho "Docker Compose version v2.40.0"\n' >"$WORK/downloads/v2.40.0/docker-compose-linux-x86_64"
make_mirror
one=$WORK/recipes/one.toml two=$WORK/recipes/two.toml
write_recipe "$one" "file://$WORK/mirror" "${BASE_PACKAGES[@]}"
sed -i 's/^name = .*/name = "one"/' "$one"
cat >>"$one" <<TOML

[[files]]
path = "/usr/local/bin/docker-compose"
url = "file://$WORK/downloads/v2.40.0/docker-compose-linux-x86_64"
sha256 = "$(sha256sum "$WORK/downloads/v2.40.0/docker-compose-linux-x86_64" | cut -d' ' -f1)"
mode = "0755"
TOML
write_recipe "$two" "file://$WORK/mirror" alpine-baselayout busybox busybox-binsh
sed -i 's/^name = .*/name = "two"/; 1i include = ["fragments/motd.toml"]' "$two"
printf 'Welcome to two.\n' >"$WORK/recipes/files/motd"
cat >"$WORK/recipes/fragments/motd.toml" <<'TOML'
[[files]]
path = "/etc/motd"
source = "../files/motd"
TOML

SOURCE_DATE_EPOCH=1600000000 run_compose lock "$one" -q >/dev/null
[[ ! -e "$WORK/recipes/two.lock.json" ]] || fail "two is locked already"

# ---- bundle: locks what has no lock, deterministic ---------------------------------------
written=$(run_compose bundle "$one" "$two" -o "$WORK/b.tar" -q)
[[ "$written" == *"$WORK/b.tar" ]] || fail "bundle printed '$written'"
[[ -s "$WORK/recipes/two.lock.json" ]] || fail "bundle did not lock two"
python3 - "$WORK/b.tar" <<'PY' || fail "bundle layout"
import json, sys, tarfile
tar = tarfile.open(sys.argv[1])
names = tar.getnames()
assert names[0] == "manifest.json", names[:3]
assert names[1:] == sorted(names[1:]), "members are not sorted"
for m in tar.getmembers():
    assert m.isreg() and m.uid == 0 and m.gid == 0 and m.mtime == 0 and m.mode == 0o644, m.name
    assert not m.uname and not m.gname, m.name
manifest = json.load(tar.extractfile("manifest.json"))
kinds = {m["kind"] for m in manifest["members"]}
for kind in ["index", "package", "file", "lock", "recipe", "recipe-file", "key", "trust"]:
    assert kind in kinds, f"no {kind} member"
assert [r["name"] for r in manifest["recipes"]] == ["one", "two"]
listed = {m["path"]: m for m in manifest["members"]}
assert set(listed) == set(names[1:]), "manifest and tar disagree"
for path in ["recipes/one.toml", "recipes/one.lock.json", "recipes/two.toml",
             "recipes/fragments/motd.toml", "recipes/files/motd"]:
    assert path in listed, f"{path} missing"
assert any(p.startswith("mirror/file/") and p.endswith("/v3.22/main/x86_64/APKINDEX.tar.gz") for p in listed)
PY
CACHE=$WORK/cache-again run_compose bundle "$one" "$two" -o "$WORK/b-again.tar" -q >/dev/null
cmp "$WORK/b.tar" "$WORK/b-again.tar" || fail "a second bundle differs"
# Through --mirror from a copy (the original gone): the bundle keeps the public URLs, same bytes.
mv "$WORK/mirror" "$WORK/mirror-copy"
mv "$WORK/downloads" "$WORK/downloads-copy"
CACHE=$WORK/cache-mirror run_compose bundle "$one" "$two" -o "$WORK/b-mirror.tar" -q \
  --mirror "file://$WORK/mirror=file://$WORK/mirror-copy" \
  --mirror "file://$WORK/downloads=file://$WORK/downloads-copy" >/dev/null
cmp "$WORK/b.tar" "$WORK/b-mirror.tar" || fail "a bundle through --mirror differs"
mv "$WORK/mirror-copy" "$WORK/mirror"
mv "$WORK/downloads-copy" "$WORK/downloads"

"$COMPOSE" verify "$WORK/b.tar" "${TRUST[@]}" >"$WORK/verify.out" || fail "verify of a good bundle"
grep -qF "ok, NOT signature-checked: --trust-bundle-keys (2 recipe(s)" "$WORK/verify.out" || { cat "$WORK/verify.out"; fail "verify summary"; }
# Held to a trust configuration from outside the bundle: the test key passes its own, not the
# repository's keys/.
"$COMPOSE" verify "$WORK/b.tar" "${TRUST[@]}" --trust-dir "$WORK/trust" -q >/dev/null || fail "verify with --trust-dir"
status=0
"$COMPOSE" verify "$WORK/b.tar" "${TRUST[@]}" --trust-dir "$COMPOSE_SOURCE_DIR/keys" -q >/dev/null 2>"$WORK/stderr" ||
  status=$?
[[ $status -eq 1 ]] && grep -q "'$KEY' is not in the trust configuration" "$WORK/stderr" ||
  { cat "$WORK/stderr" >&2; fail "a key outside the given trust configuration was accepted"; }

# ---- online builds from the locks -----------------------------------------------------------
for name in one two; do
  run_compose build "$WORK/recipes/$name.toml" --locked -o "$WORK/online" -q >/dev/null
done

# ---- from the bundle: no mirror, no network ----------------------------------------------
mv "$WORK/mirror" "$WORK/mirror.away"
mv "$WORK/downloads" "$WORK/downloads.away"
offline=()
if unshare -n true 2>/dev/null; then
  offline=(unshare -n)
elif unshare -rn true 2>/dev/null; then
  offline=(unshare -rn)
else
  echo "unshare is not available: the bundle builds run with the network present (mirror removed)"
fi
for name in one two; do
  "${offline[@]}" env -u SOURCE_DATE_EPOCH "$COMPOSE" build --from-bundle "$WORK/b.tar" "$name" "${TRUST[@]}" \
    -o "$WORK/offline" --cache-dir "$WORK/unused-cache" -q >/dev/null ||
    fail "build of $name from the bundle"
  for suffix in oci.tar ext4 rootfs.tar; do
    cmp "$WORK/online/$name.$suffix" "$WORK/offline/$name.$suffix" ||
      fail "$name.$suffix from the bundle differs from the online build"
  done
done
[[ ! -e "$WORK/unused-cache" ]] || fail "a bundle build used the cache it was given"
tar -xOf "$WORK/offline/two.rootfs.tar" etc/motd | grep -q "Welcome to two" || fail "no motd from the fragment"
# By name, by file name or by bundle path; an unknown one lists what the bundle holds.
status=0
"$COMPOSE" build --from-bundle "$WORK/b.tar" three "${TRUST[@]}" -o "$WORK/out-fail" 2>"$WORK/stderr" >/dev/null || status=$?
[[ $status -eq 2 ]] || fail "an unknown recipe name: exit $status"
grep -q "it holds: one (recipes/one.toml), two (recipes/two.toml)" "$WORK/stderr" || fail "names not listed"
"$COMPOSE" build --from-bundle "$WORK/b.tar" recipes/two.toml "${TRUST[@]}" -o "$WORK/by-path" -q >/dev/null ||
  fail "build by bundle path"
cmp "$WORK/online/two.ext4" "$WORK/by-path/two.ext4" || fail "by path: other bytes"

# ---- one flipped byte in each kind of member ------------------------------------------------
member() { python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["members"]; print(next(x["path"] for x in m if eval(sys.argv[2])))' "$WORK/manifest.json" "$1"; }
tar -xOf "$WORK/b.tar" manifest.json >"$WORK/manifest.json"
index=$(member 'x["kind"] == "index" and "/main/" in x["path"]')
key=$(member 'x["kind"] == "key"')
trust=$(member 'x["kind"] == "trust"')
package=$(member 'x["kind"] == "package" and "/busybox-1" in x["path"]')
pinned=$(member 'x["kind"] == "file"')
for target in "$index" "$key" "$trust" "$package" "$pinned" recipes/one.lock.json recipes/one.toml \
  recipes/fragments/motd.toml; do
  tamper "$WORK/b.tar" "$WORK/bad.tar" "$target"
  rejected "$WORK/bad.tar" "bundle member '$target'" "sha256 is "
done
tamper "$WORK/b.tar" "$WORK/bad.tar" manifest.json
rejected "$WORK/bad.tar" "manifest.json" "bundle"
echo "flipped bytes: ok"

# ---- changed together with the manifest: the deeper checks ------------------------------
tamper "$WORK/b.tar" "$WORK/bad.tar" "$index" remanifest
rejected "$WORK/bad.tar" "$index" "APKINDEX"
tamper "$WORK/b.tar" "$WORK/bad.tar" "$package" remanifest
rejected "$WORK/bad.tar" "$package" "busybox"
tamper "$WORK/b.tar" "$WORK/bad.tar" "$pinned" remanifest
rejected "$WORK/bad.tar" "$pinned" "the lock pins"
tamper "$WORK/b.tar" "$WORK/bad.tar" "$key" remanifest
rejected "$WORK/bad.tar" "keys/" "$KEY"
tamper "$WORK/b.tar" "$WORK/bad.tar" recipes/one.toml remanifest
rejected "$WORK/bad.tar" "recipes/one.lock.json" "one.toml"
# A lock whose record of a package is not the signed one (its digests unchanged).
tamper "$WORK/b.tar" "$WORK/bad.tar" recipes/one.lock.json record=busybox
rejected "$WORK/bad.tar" "$index" "the lock's entry for busybox"
echo "consistent tampering: ok"

# ---- Debian: the signed bookworm test mirror, one small package set ---------------------------
if ! command -v apt-get >/dev/null; then
  echo "apt-get missing: Debian part skipped"
  exit 0
fi
shared_mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$shared_mirror"
# A symlink copy that can be taken away without touching the shared mirror.
cp -as "$shared_mirror" "$WORK/debian"
mkdir -p "$WORK/deb"
cat >"$WORK/deb/bookworm.toml" <<TOML
name = "bookworm-bundle"
distribution = "debian"
release = "bookworm"
architecture = "amd64"
base = "none"
packages = ["mawk"]

[[repositories]]
url = "file://$WORK/debian"
suites = ["\${release}"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]

[outputs]
formats = ["rootfs-tar", "oci", "ext4"]
TOML
"$COMPOSE" bundle "$WORK/deb/bookworm.toml" -o "$WORK/deb.tar" --cache-dir "$WORK/deb-cache" -q >/dev/null ||
  fail "Debian bundle"
"$COMPOSE" build "$WORK/deb/bookworm.toml" --locked -o "$WORK/deb-online" --cache-dir "$WORK/deb-cache" \
  -q >/dev/null 2>&1 || fail "Debian online build"
"$COMPOSE" verify "$WORK/deb.tar" "${TRUST[@]}" >/dev/null || fail "verify of the Debian bundle"
mv "$WORK/debian" "$WORK/debian.away"
"${offline[@]}" "$COMPOSE" build --from-bundle "$WORK/deb.tar" bookworm-bundle "${TRUST[@]}" -o "$WORK/deb-offline" \
  -q >/dev/null 2>&1 || fail "Debian build from the bundle"
for suffix in oci.tar ext4 rootfs.tar; do
  cmp "$WORK/deb-online/bookworm-bundle.$suffix" "$WORK/deb-offline/bookworm-bundle.$suffix" ||
    fail "bookworm-bundle.$suffix from the bundle differs"
done
tar -xOf "$WORK/deb.tar" manifest.json >"$WORK/manifest.json"
inrelease=$(member 'x["path"].endswith("/dists/bookworm/InRelease")')
packages=$(member 'x["kind"] == "packages-index"')
mawk=$(member 'x["kind"] == "package" and "/mawk_" in x["path"]')
export BUNDLE_RECIPE=bookworm-bundle
for target in "$inrelease" "$packages" "$mawk"; do
  tamper "$WORK/deb.tar" "$WORK/bad.tar" "$target"
  rejected "$WORK/bad.tar" "bundle member '$target'" "sha256 is "
done
tamper "$WORK/deb.tar" "$WORK/bad.tar" "$inrelease" remanifest
rejected "$WORK/bad.tar" "$inrelease" "signature"
tamper "$WORK/deb.tar" "$WORK/bad.tar" "$mawk" remanifest
rejected "$WORK/bad.tar" "$mawk" "the signed index lists"
tamper "$WORK/deb.tar" "$WORK/bad.tar" recipes/bookworm.lock.json record=mawk
rejected "$WORK/bad.tar" "$packages" "the lock's entry for mawk"
echo "debian: ok"
