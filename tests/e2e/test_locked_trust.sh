#!/usr/bin/env bash
# A lock is a plain file: a locked build trusts it only as far as the signatures go. Alpine (a
# generated mirror): an edited lock (a version, a whole-file digest matching a tampered
# package put in the mirror, the apk-identity and size with it, a URL), a lock pinning another
# index (random digest; an index signed by an untrusted key; the index with a broken
# signature) are each refused with a clear error naming the package or index, and nothing in
# out/; an unsigned or wrongly signed .apk that the signed index lists builds index-driven
# (unsigned) or not at all (wrongly signed), is refused by `compose lock`, and by a locked
# build whose lock pins it. Debian (a small repository signed by a throwaway OpenPGP key whose
# validity ended on 2022-01-01): a Release it signed in 2021 is refused by an unlocked build
# unless --allow-expired-key (recorded as an override); a locked build of the same lock warns,
# naming the key and the date, and records the warning; a Release signed after the key expired
# is refused even with the override; an edited locked stanza, a changed Release digest and a
# Release with a broken signature are refused.
source "$(dirname "$0")/lib.sh"

# json FILE EXPRESSION: a Python expression over the parsed JSON document `d`.
json() {
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# edit_lock IN OUT PYTHON: OUT is IN after PYTHON ran on its document `d` (a helper `pkg(name)`
# gives a package entry).
edit_lock() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def pkg(name):
    return next(p for p in d["packages"] if p["name"] == name)
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w"), indent=2, sort_keys=True)
PY
}

# relock_alpine LOCK MIRROR: pins what the mirror serves now, as an attacker able to edit the
# lock would: each repository's APKINDEX digest, each package's record, size and file digest.
relock_alpine() {
  python3 - "$1" "$2" <<'PY'
import hashlib, io, json, os, sys, tarfile, zlib
lock_file, mirror = sys.argv[1], sys.argv[2]
d = json.load(open(lock_file))
def members(data):
    out = []
    while data:
        z = zlib.decompressobj(31)
        out.append(z.decompress(data))
        data = z.unused_data
    return out
records = {}
for position, repository in enumerate(d["repositories"]):
    path = os.path.join(mirror, repository["branch"], repository["repo"], "x86_64", "APKINDEX.tar.gz")
    data = open(path, "rb").read()
    repository["index"]["sha256"] = hashlib.sha256(data).hexdigest()
    text = tarfile.open(fileobj=io.BytesIO(b"".join(members(data)[1:]))).extractfile("APKINDEX").read().decode()
    for block in text.split("\n\n"):
        if block.strip():
            fields = dict(line.split(":", 1) for line in block.strip().split("\n"))
            records[(position, fields["P"], fields["V"])] = (block.strip("\n") + "\n", int(fields["S"]))
for p in d["packages"]:
    record, size = records[(p["repository"], p["name"], p["version"])]
    p["record"], p["size"] = record, size
    repository = d["repositories"][p["repository"]]
    path = os.path.join(mirror, repository["branch"], repository["repo"], p["path"])
    p["digests"]["sha256"] = hashlib.sha256(open(path, "rb").read()).hexdigest()
json.dump(d, open(lock_file, "w"), indent=2, sort_keys=True)
PY
}

# ---- Alpine -----------------------------------------------------------------------------------
KEY=$("$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/trust" \
  --private-key "$WORK/signing.pem")
COMPRESSION=gzip write_recipe "$WORK/r.toml" "file://$WORK/mirror" alpine-baselayout busybox busybox-binsh
sed -i 's/^formats = .*/formats = ["rootfs-tar"]/; /^\[outputs.ext4\]/,$d' "$WORK/r.toml"
lock=$WORK/r.lock.json
CACHE=$WORK/cache run_compose lock "$WORK/r.toml" -q >/dev/null
CACHE=$WORK/cache run_compose build "$WORK/r.toml" --locked -o "$WORK/good" -q >/dev/null ||
  fail "the good locked build"
busybox_apk=$WORK/mirror/v3.22/main/x86_64/$(json "$lock" 'next(p["path"] for p in d["packages"] if p["name"] == "busybox").split("/")[-1]')
[[ -f "$busybox_apk" ]] || fail "no $busybox_apk"
index=$WORK/mirror/v3.22/main/x86_64/APKINDEX.tar.gz
index_url=file://$index

echo "case: a locked version the signed index does not hold"
edit_lock "$lock" "$WORK/bad.lock.json" '
p = pkg("busybox")
p["record"] = p["record"].replace("V:" + p["version"], "V:9.9-r0")
p["version"] = "9.9-r0"'
expect_failure "the lock names busybox 9.9-r0 (x86_64), which the signed index $index_url does not hold" \
  "$WORK/r.toml" --lock "$WORK/bad.lock.json"
grep -qF "packages[" "$WORK/stderr" || fail "the lock entry is not named"

echo "case: a tampered package in the mirror, its whole-file digest in the lock"
cp "$busybox_apk" "$WORK/busybox.orig"
flip_byte "$busybox_apk" -40
edit_lock "$lock" "$WORK/bad.lock.json" "pkg('busybox')['digests']['sha256'] = '$(sha256sum "$busybox_apk" | cut -d' ' -f1)'"
expect_failure "does not match .PKGINFO datahash" "$WORK/r.toml" --lock "$WORK/bad.lock.json"
echo "case: … and its apk-identity and size edited to match"
edit_lock "$WORK/bad.lock.json" "$WORK/bad.lock.json" "
p = pkg('busybox')
p['digests']['apk-identity'] = 'Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA='
p['size'] += 1"
expect_failure "the lock's entry for busybox" "$WORK/r.toml" --lock "$WORK/bad.lock.json"
grep -qF "differs from the signed index $index_url: size" "$WORK/stderr" || fail "the index and field are not named"
grep -qF "apk-identity 'Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA=' in the lock" "$WORK/stderr" || fail "apk-identity not named"
cp "$WORK/busybox.orig" "$busybox_apk"

echo "case: a locked URL that is not the signed record's"
edit_lock "$lock" "$WORK/bad.lock.json" "pkg('busybox')['url'] = 'https://evil.example/busybox.apk'"
expect_failure "differs from the signed index $index_url: url 'https://evil.example/busybox.apk' in the lock" \
  "$WORK/r.toml" --lock "$WORK/bad.lock.json"

echo "case: a signed index digest the mirror does not serve"
edit_lock "$lock" "$WORK/bad.lock.json" "d['repositories'][0]['index']['sha256'] = 'ab' * 32"
expect_failure "a signed index the lock pins is not available" "$WORK/r.toml" --lock "$WORK/bad.lock.json"
grep -qF "expected $(printf 'ab%.0s' $(seq 32))" "$WORK/stderr" || fail "the pinned digest is not named"

echo "case: the lock pins an index signed by a key the recipe does not trust"
"$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/other" --trust-dir "$WORK/other-trust" \
  --branch v3.22 --key-name "other-key.rsa.pub" >/dev/null
cp "$index" "$WORK/index.orig"
cp "$WORK/other/v3.22/main/x86_64/APKINDEX.tar.gz" "$index"
edit_lock "$lock" "$WORK/bad.lock.json" "d['repositories'][0]['index']['sha256'] = '$(sha256sum "$index" | cut -d' ' -f1)'"
expect_failure "index is signed only by untrusted key(s) 'other-key.rsa.pub'" "$WORK/r.toml" \
  --lock "$WORK/bad.lock.json"

echo "case: the lock pins an index whose signature is broken"
cp "$WORK/index.orig" "$index"
flip_byte "$index" -30 # in the signed data member: the signature no longer covers it
edit_lock "$lock" "$WORK/bad.lock.json" "d['repositories'][0]['index']['sha256'] = '$(sha256sum "$index" | cut -d' ' -f1)'"
expect_failure "index signature does not verify" "$WORK/r.toml" --lock "$WORK/bad.lock.json"
cp "$WORK/index.orig" "$index"

echo "case: an unsigned .apk the (re-)signed index lists"
"$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/trust" \
  --private-key "$WORK/signing.pem" --package-signature busybox=unsigned >/dev/null
# Index-driven, the signed index vouches for it (as apk does).
CACHE=$WORK/cache-unsigned run_compose build "$WORK/r.toml" -o "$WORK/unsigned" -q >/dev/null ||
  fail "an index-driven build of an unsigned package"
status=0
CACHE=$WORK/cache-unsigned run_compose lock "$WORK/r.toml" --lock "$WORK/unsigned.lock.json" -q \
  >/dev/null 2>"$WORK/stderr" || status=$?
[[ $status -eq 1 ]] && grep -qF "package is not signed" "$WORK/stderr" ||
  { cat "$WORK/stderr"; fail "compose lock accepted an unsigned package"; }
[[ ! -e "$WORK/unsigned.lock.json" ]] || fail "a lock was written"
cp "$lock" "$WORK/bad.lock.json"
relock_alpine "$WORK/bad.lock.json" "$WORK/mirror"
expect_failure "package is not signed (it has no .SIGN.* member)" "$WORK/r.toml" --lock "$WORK/bad.lock.json"
grep -qF "busybox-" "$WORK/stderr" || fail "the package is not named"
# Even with the package already in the cache (an index-driven build put it there).
CACHE=$WORK/cache-unsigned expect_failure "package is not signed" "$WORK/r.toml" --lock "$WORK/bad.lock.json"

echo "case: an .apk signed by another key under the trusted key's name"
"$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/trust" \
  --private-key "$WORK/signing.pem" --package-signature busybox=wrong-key >/dev/null
expect_failure "package signature does not verify (signed by key $KEY)" "$WORK/r.toml"
cp "$lock" "$WORK/bad.lock.json"
relock_alpine "$WORK/bad.lock.json" "$WORK/mirror"
expect_failure "package signature does not verify (signed by key $KEY)" "$WORK/r.toml" \
  --lock "$WORK/bad.lock.json"
echo "alpine: ok"

# ---- Debian: an OpenPGP key that expired after it signed ------------------------------------
export GNUPGHOME=$WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg_at() { local when=$1; shift; gpg --batch --quiet --faked-system-time "$when" "$@" 2>/dev/null; }
gpg_at 20210101T000000 --passphrase '' --quick-gen-key "Old Key <old@example.invalid>" rsa2048 sign never
fingerprint=$(gpg --with-colons --list-keys 2>/dev/null | awk -F: '$1 == "fpr" { print tolower($10); exit }')
mkdir -p "$WORK/deb-trust" "$WORK/deb-keys"
cat >"$WORK/deb-trust/old.toml" <<TOML
[[key]]
name = "old.gpg"
kind = "openpgp"
url = "https://invalid.example/old.gpg"
fingerprints = ["$fingerprint"]
TOML

# make_suite NAME SIGNING-TIME: the package "tiny" in suite NAME, its InRelease signed then.
make_suite() {
  local repo=$WORK/repo suite=$1 dir=$WORK/debsrc
  rm -rf "$dir" && mkdir -p "$dir/control" "$dir/data/usr/share/tiny" "$repo/pool/$suite" \
    "$repo/dists/$suite/main/binary-amd64"
  printf 'Package: tiny\nVersion: 1.0\nArchitecture: amd64\nMaintainer: Test <test@example.org>\nDescription: tiny\n' \
    >"$dir/control/control"
  echo hello >"$dir/data/usr/share/tiny/hello"
  printf '2.0\n' >"$dir/debian-binary"
  tar -C "$dir/control" -czf "$dir/control.tar.gz" .
  tar -C "$dir/data" -czf "$dir/data.tar.gz" .
  local deb=$repo/pool/$suite/tiny_1.0_amd64.deb packages=$repo/dists/$suite/main/binary-amd64/Packages
  (cd "$dir" && ar rc "$deb" debian-binary control.tar.gz data.tar.gz)
  printf 'Package: tiny\nVersion: 1.0\nArchitecture: amd64\nMaintainer: Test <test@example.org>\nPriority: optional\nFilename: pool/%s/tiny_1.0_amd64.deb\nSize: %s\nSHA256: %s\nDescription: tiny\n' \
    "$suite" "$(stat -c %s "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)" >"$packages"
  printf 'Origin: Test\nSuite: %s\nCodename: %s\nDate: Tue, 01 Jun 2021 00:00:00 UTC\nArchitectures: amd64\nComponents: main\nSHA256:\n %s %s main/binary-amd64/Packages\n' \
    "$suite" "$suite" "$(sha256sum "$packages" | cut -d' ' -f1)" "$(stat -c %s "$packages")" \
    >"$repo/dists/$suite/Release"
  gpg_at "$2" --yes --local-user "$fingerprint" --digest-algo SHA256 --clearsign \
    --output "$repo/dists/$suite/InRelease" "$repo/dists/$suite/Release"
}
make_suite old 20210601T000000
make_suite late 20230601T000000
# Only now does the key get its expiry (a self-signature dated 2021-01-02): signed in 2021,
# "old" was signed while the key was valid; "late" was not.
gpg_at 20210102T000000 --quick-set-expire "$fingerprint" 20220101T000000
gpg --export "$fingerprint" >"$WORK/deb-keys/old.gpg"

write_tiny_recipe() {
  cat >"$WORK/$1.toml" <<TOML
name = "tiny"
distribution = "debian"
release = "$1"
architecture = "amd64"
base = "none"
packages = ["tiny"]

[[repositories]]
url = "file://$WORK/repo"
suites = ["$1"]
components = ["main"]
keys = ["old.gpg"]

[outputs]
formats = ["rootfs-tar"]
TOML
}
write_tiny_recipe old
write_tiny_recipe late
deb_compose() { "$COMPOSE" "$@" --trust-dir "$WORK/deb-trust" --keys-dir "$WORK/deb-keys"; }
# deb_failure TEXT ARGS...: exit 1, TEXT on stderr, nothing in out/.
deb_failure() {
  local text=$1 status=0
  shift
  rm -rf "$WORK/deb-out-fail"
  deb_compose "$@" -o "$WORK/deb-out-fail" --cache-dir "$(mktemp -d "$WORK/deb-cache.XXXXXX")" \
    >/dev/null 2>"$WORK/stderr" || status=$?
  [[ $status -eq 1 ]] || { cat "$WORK/stderr" >&2; fail "expected exit 1, got $status"; }
  grep -qF -- "$text" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "stderr lacks: $text"; }
  [[ ! -e "$WORK/deb-out-fail" ]] || [[ -z "$(ls -A "$WORK/deb-out-fail")" ]] || fail "output left behind"
  sed 's/^/  /' "$WORK/stderr"
}

echo "case: a new build, its Release signed by a key that has expired since"
deb_failure "which expired on 2022-01-01 00:00:00 UTC" build "$WORK/old.toml"
grep -qF "by key $fingerprint" "$WORK/stderr" || fail "the key is not named"
grep -qF -- "--allow-expired-key" "$WORK/stderr" || fail "the override is not offered"
deb_compose build "$WORK/old.toml" --allow-expired-key -o "$WORK/deb-new" --cache-dir "$WORK/deb-cache" \
  -q >/dev/null 2>&1 || fail "a build with --allow-expired-key"
[[ $(json "$WORK/deb-new/tiny.result.json" '[o for o in d["verification_overrides"] if "--allow-expired-key" in o and "2022-01-01" in o]') != "[]" ]] ||
  fail "the override is not in the report"

echo "case: a locked build of old material warns instead"
deb_compose lock "$WORK/old.toml" --allow-expired-key --cache-dir "$WORK/deb-cache" -q >/dev/null 2>&1 ||
  fail "lock with --allow-expired-key"
deb_lock=$WORK/old.lock.json
deb_compose build "$WORK/old.toml" --locked -o "$WORK/deb-locked" --cache-dir "$WORK/deb-cache-locked" \
  >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr"; fail "the locked build"; }
grep -q "warning: .*InRelease: signed on 2021-06-01 .* by key $fingerprint, which expired on 2022-01-01" \
  "$WORK/stderr" || { cat "$WORK/stderr"; fail "no warning naming the key and its expiry"; }
[[ $(json "$WORK/deb-locked/tiny.result.json" '[w for w in d["warnings"] if "'"$fingerprint"'" in w and "expired on 2022-01-01" in w]') != "[]" ]] ||
  fail "the warning is not in the report"

echo "case: a Release signed after its key expired"
deb_failure "made after its key expired (2022-01-01)" build "$WORK/late.toml" --allow-expired-key

echo "case: a locked stanza the signed Packages index does not hold"
edit_lock "$deb_lock" "$WORK/bad.lock.json" '
p = pkg("tiny")
p["record"] = p["record"].replace("Version: 1.0", "Version: 1.1")
p["version"] = "1.1"'
deb_failure "the lock names tiny 1.1 (amd64), which the signed index file://$WORK/repo/dists/old/main/binary-amd64/Packages does not hold" \
  build "$WORK/old.toml" --lock "$WORK/bad.lock.json"

echo "case: a Release digest the mirror does not serve"
edit_lock "$deb_lock" "$WORK/bad.lock.json" "d['repositories'][0]['index']['sha256'] = 'cd' * 32"
deb_failure "the signed Release file://$WORK/repo/dists/old/InRelease the lock pins is not available" \
  build "$WORK/old.toml" --lock "$WORK/bad.lock.json"

echo "case: the lock pins a Release whose signature is broken"
sed -i 's/^Origin: Test$/Origin: Evil/' "$WORK/repo/dists/old/InRelease"
edit_lock "$deb_lock" "$WORK/bad.lock.json" "d['repositories'][0]['index']['sha256'] = '$(sha256sum "$WORK/repo/dists/old/InRelease" | cut -d' ' -f1)'"
deb_failure "no acceptable OpenPGP signature" build "$WORK/old.toml" --lock "$WORK/bad.lock.json"
echo "debian: ok"
