#!/usr/bin/env bash
# Signed bundles and locks, trusted from outside. A producer signs a lock (LOCK.asc) and a
# bundle (manifest.json.asc) with `--sign`; gpgv, an external judge, accepts both signatures.
# In another directory, with only the producer's public key, `compose verify` and
# `build --from-bundle` accept the bundle (--signed-by, or --trust-dir naming the signer) and
# the report names the signer. Refused with a clear error and nothing written: an unsigned
# bundle, a bundle re-signed by another key, a crafted bundle whose own trust/ pins the
# attacker's repository key (unsigned, or signed by the attacker, who also ships the key),
# and any bundle when no signer is named. --trust-bundle-keys accepts an unsigned bundle and
# the report records it. `build --lock-signed-by` refuses an edited, unsigned or foreign-
# signed lock.
source "$(dirname "$0")/lib.sh"
for tool in gpg gpgv; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done

json() {
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# ---- two OpenPGP keys: the producer's and an attacker's -----------------------------------
export GNUPGHOME=$WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
# new_key NAME: a signing key; NAME.sec.asc (secret), NAME.pub.asc, NAME.gpg (public); prints
# its fingerprint.
new_key() {
  gpg --batch --quiet --passphrase '' --quick-gen-key "$1 <$1@example.org>" ed25519 sign never 2>/dev/null
  gpg --check-trustdb >/dev/null 2>&1 || true
  local fingerprint
  fingerprint=$(gpg --with-colons --list-keys "$1@example.org" | awk -F: '$1 == "fpr" { print tolower($10); exit }')
  gpg --batch --armor --export-secret-keys "$fingerprint" >"$WORK/$1.sec.asc"
  gpg --batch --armor --export "$fingerprint" >"$WORK/$1.pub.asc"
  gpg --batch --export "$fingerprint" >"$WORK/$1.gpg"
  echo "$fingerprint"
}
PRODUCER=$(new_key producer)
ATTACKER=$(new_key attacker)
[[ ${#PRODUCER} -eq 40 && $PRODUCER != "$ATTACKER" ]] || fail "test keys"

# ---- the producer locks and bundles a recipe, signing both ---------------------------------
make_mirror
mkdir -p "$WORK/recipes"
recipe=$WORK/recipes/r.toml
write_recipe "$recipe" "file://$WORK/mirror" alpine-baselayout busybox busybox-binsh
SOURCE_DATE_EPOCH=1600000000 run_compose lock "$recipe" --sign "$WORK/producer.sec.asc" -q >/dev/null
lock=$WORK/recipes/r.lock.json
[[ -s "$lock.asc" ]] || fail "lock --sign wrote no $lock.asc"
gpgv --keyring "$WORK/producer.gpg" "$lock.asc" "$lock" 2>/dev/null || fail "gpgv rejects the lock signature"
! gpgv --keyring "$WORK/attacker.gpg" "$lock.asc" "$lock" 2>/dev/null || fail "gpgv: the attacker's key verifies it?"

run_compose bundle "$recipe" -o "$WORK/signed.tar" --sign "$WORK/producer.sec.asc" -q >/dev/null
run_compose bundle "$recipe" -o "$WORK/unsigned.tar" -q >/dev/null
python3 - "$WORK/signed.tar" "$WORK/unsigned.tar" <<'PY' || fail "signed bundle layout"
import sys, tarfile
signed, unsigned = (tarfile.open(p) for p in sys.argv[1:3])
names = signed.getnames()
assert names[:2] == ["manifest.json", "manifest.json.asc"], names[:3]
assert names[2:] == unsigned.getnames()[1:], "the signature changes nothing else"
assert signed.extractfile("manifest.json").read() == unsigned.extractfile("manifest.json").read()
PY
mkdir -p "$WORK/x"
tar -xf "$WORK/signed.tar" -C "$WORK/x" manifest.json manifest.json.asc
gpgv --keyring "$WORK/producer.gpg" "$WORK/x/manifest.json.asc" "$WORK/x/manifest.json" 2>/dev/null ||
  fail "gpgv rejects the bundle signature"

# ---- elsewhere: only the bundle and the producer's public key ------------------------------
mkdir -p "$WORK/elsewhere"
cp "$WORK/signed.tar" "$WORK/unsigned.tar" "$WORK/producer.pub.asc" "$WORK/elsewhere/"
mv "$WORK/mirror" "$WORK/mirror.away" # nothing but the bundle serves the build
cd "$WORK/elsewhere"
unset GNUPGHOME
SIGNER=(--signed-by "$PRODUCER" --signer-keyring producer.pub.asc)
"$COMPOSE" verify signed.tar "${SIGNER[@]}" >verify.out || fail "verify of the signed bundle"
grep -q "signed.tar: ok, signed by $PRODUCER" verify.out || { cat verify.out; fail "verify summary"; }
# The fingerprint as gpg prints it (upper case, spaces) names the same key.
spaced=$(echo "${PRODUCER^^}" | sed 's/..../& /g')
"$COMPOSE" verify signed.tar --signed-by "$spaced" --signer-keyring producer.pub.asc -q >/dev/null ||
  fail "a spaced upper-case fingerprint"
"$COMPOSE" build --from-bundle signed.tar e2e "${SIGNER[@]}" -o out -q >/dev/null ||
  fail "build from the signed bundle"
[[ $(json out/e2e.result.json 'd["bundle"]["signer"]') == "$PRODUCER" ]] || fail "the report lacks the signer"
[[ $(json out/e2e.result.json 'd["bundle"]["sha256"]') == $(sha256sum <signed.tar | cut -d' ' -f1) ]] ||
  fail "the report lacks the bundle digest"
[[ $(json out/e2e.result.json 'd["verification_overrides"]') == "[]" ]] || fail "overrides without a reason"
# A trust configuration of the user's own: the signer as kind openpgp-signer, the repository key.
mkdir -p anchors
cp producer.pub.asc anchors/
cp "$WORK/trust/"* anchors/
cat >anchors/signers.toml <<TOML
[[key]]
name = "producer.pub.asc"
kind = "openpgp-signer"
fingerprints = ["$PRODUCER"]
TOML
"$COMPOSE" verify signed.tar --trust-dir anchors -q >/dev/null || fail "verify with --trust-dir"
echo "signed bundle verified elsewhere: ok"

# refused TAR TEXT ARGS...: verify and --from-bundle both exit 1 saying TEXT; nothing in out.
refused() {
  local tar=$1 text=$2 status
  shift 2
  for verb in verify build; do
    status=0
    rm -rf out-fail
    if [[ $verb == verify ]]; then
      "$COMPOSE" verify "$tar" "$@" >/dev/null 2>stderr || status=$?
    else
      "$COMPOSE" build --from-bundle "$tar" e2e "$@" -o out-fail -q >/dev/null 2>stderr || status=$?
    fi
    [[ $status -eq 1 ]] || { cat stderr >&2; fail "$verb of $tar: exit $status, expected 1"; }
    grep -qF -- "$text" stderr || { cat stderr >&2; fail "$verb of $tar lacks: $text"; }
    [[ ! -e out-fail ]] || [[ -z "$(ls -A out-fail)" ]] || fail "$verb of $tar left output behind"
  done
  echo "  refused $tar: $(grep -m1 '^compose: error: ' stderr)"
}

# swap_signature TAR OUT [SIGNATURE-FILE]: OUT is TAR with its manifest.json.asc replaced
# (or, without a file, removed).
swap_signature() {
  python3 - "$@" <<'PY'
import io, sys, tarfile
source, target = sys.argv[1:3]
signature = open(sys.argv[3], "rb").read() if len(sys.argv) > 3 else None
with tarfile.open(source) as tar:
    members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
out_members = []
for info, data in members:
    if info.name == "manifest.json.asc":
        if signature is None:
            continue
        data = signature
    out_members.append((info, data))
with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as out:
    for info, data in out_members:
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
PY
}

# The unsigned bundle; and the signed one with no signer named.
refused unsigned.tar "the bundle is unsigned" "${SIGNER[@]}"
refused signed.tar "no signer to check the bundle against"
# Re-signed by the attacker (same manifest, another key); and with the signature dropped.
export GNUPGHOME=$WORK/gnupg
gpg --batch --yes --armor --detach-sign -u "$ATTACKER" -o "$WORK/x/attacker.asc" "$WORK/x/manifest.json"
unset GNUPGHOME
swap_signature signed.tar resigned.tar "$WORK/x/attacker.asc"
refused resigned.tar "is not a good one by a signer you trust ($PRODUCER)" "${SIGNER[@]}"
! gpgv --keyring "$WORK/producer.gpg" "$WORK/x/attacker.asc" "$WORK/x/manifest.json" 2>/dev/null ||
  fail "gpgv accepts the attacker's signature with the producer's key"
# Even with the attacker's public key at hand, only the named signer counts.
refused resigned.tar "not a good one by a signer you trust" "${SIGNER[@]}" \
  --signer-keyring "$WORK/attacker.pub.asc"
swap_signature signed.tar stripped.tar
refused stripped.tar "the bundle is unsigned" "${SIGNER[@]}"
# A signature over another manifest (the producer's own lock signature, say) fails too.
swap_signature signed.tar wrong.tar "$lock.asc"
refused wrong.tar "not a good one by a signer you trust" "${SIGNER[@]}"

# ---- a crafted bundle: the attacker's mirror, repository key and trust/ -------------------
cd "$WORK"
make_mirror "$WORK/evil-mirror" v3.22 "$WORK/evil-trust"
mkdir -p "$WORK/evil"
write_recipe "$WORK/evil/r.toml" "file://$WORK/evil-mirror" alpine-baselayout busybox busybox-binsh
"$COMPOSE" bundle "$WORK/evil/r.toml" -o "$WORK/elsewhere/evil.tar" --trust-dir "$WORK/evil-trust" \
  --keys-dir "$WORK/evil-trust" --cache-dir "$WORK/evil-cache" -q >/dev/null
"$COMPOSE" bundle "$WORK/evil/r.toml" -o "$WORK/elsewhere/evil-signed.tar" --trust-dir "$WORK/evil-trust" \
  --keys-dir "$WORK/evil-trust" --cache-dir "$WORK/evil-cache" --sign "$WORK/attacker.sec.asc" -q >/dev/null
cd "$WORK/elsewhere"
tar -tf evil.tar | grep -q '^trust/test.toml$' || fail "the crafted bundle carries no trust/"
refused evil.tar "the bundle is unsigned" "${SIGNER[@]}"
refused evil.tar "no signer to check the bundle against"
refused evil-signed.tar "not a good one by a signer you trust" "${SIGNER[@]}"
refused evil-signed.tar "not a good one by a signer you trust" --trust-dir anchors
echo "attacks refused: ok"

# ---- --trust-bundle-keys: accepted, and said so --------------------------------------------
"$COMPOSE" verify unsigned.tar --trust-bundle-keys >verify.out 2>stderr || fail "verify --trust-bundle-keys"
grep -q "NOT signature-checked: --trust-bundle-keys" verify.out || fail "verify does not say it was not checked"
grep -q "^compose: warning: .*--trust-bundle-keys" stderr || fail "no warning for --trust-bundle-keys"
"$COMPOSE" build --from-bundle unsigned.tar e2e --trust-bundle-keys -o out-trusted -q >/dev/null 2>&1 ||
  fail "build --trust-bundle-keys"
json out-trusted/e2e.result.json 'd["verification_overrides"]' | grep -q "unsigned.tar: unsigned, its own keys" ||
  fail "the report does not record --trust-bundle-keys"
[[ $(json out-trusted/e2e.result.json 'd["bundle"]["signer"]') == "" ]] || fail "a signer without a check"
cmp out/e2e.oci.tar out-trusted/e2e.oci.tar || fail "the image depends on how the bundle was trusted"
status=0
"$COMPOSE" verify signed.tar --trust-bundle-keys "${SIGNER[@]}" >/dev/null 2>stderr || status=$?
[[ $status -eq 2 ]] && grep -q "contradict" stderr || fail "--trust-bundle-keys with --signed-by: exit $status"
echo "--trust-bundle-keys: ok"

# ---- a signed lock ------------------------------------------------------------------------
cd "$WORK"
mv "$WORK/mirror.away" "$WORK/mirror"
LOCK_SIGNER=(--lock-signed-by "$PRODUCER" --signer-keyring "$WORK/producer.pub.asc")
run_compose build "$recipe" --locked "${LOCK_SIGNER[@]}" -o "$WORK/locked" -q >/dev/null ||
  fail "build with a signed lock"
[[ $(json "$WORK/locked/e2e.result.json" 'd["lock"]["signer"]') == "$PRODUCER" ]] || fail "no lock signer in the report"
# lock_refused TEXT: the locked build with LOCK_SIGNER exits 1 saying TEXT, nothing written.
lock_refused() { expect_failure "$1" build "$recipe" --locked "${LOCK_SIGNER[@]}"; echo "  lock: $(grep -m1 '^compose: error: ' "$WORK/stderr")"; }
cp "$lock" "$WORK/lock.good"
sed -i 's/"epoch": 1600000000/"epoch": 1600000001/' "$lock"
! cmp -s "$lock" "$WORK/lock.good" || fail "the lock edit changed nothing"
lock_refused "the signature of the lock is not a good one"
cp "$WORK/lock.good" "$lock"
mv "$lock.asc" "$WORK/lock.asc.good"
lock_refused "the lock is unsigned"
export GNUPGHOME=$WORK/gnupg
gpg --batch --yes --armor --detach-sign -u "$ATTACKER" -o "$lock.asc" "$lock"
unset GNUPGHOME
lock_refused "not a good one by a signer you trust ($PRODUCER)"
mv "$WORK/lock.asc.good" "$lock.asc"
# A lock signed in 2021 by a key that expired in 2022: judged at the signature's time it is
# still its signer's lock; the build says the key has expired since, on stderr and in the report.
cp "$lock.asc" "$WORK/lock.asc.good"
export GNUPGHOME=$WORK/gnupg-old
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --faked-system-time 20210101T000000 --passphrase '' \
  --quick-gen-key "Old Producer <old@example.org>" ed25519 sign 1y 2>/dev/null
old=$(gpg --with-colons --list-keys 2>/dev/null | awk -F: '$1 == "fpr" { print tolower($10); exit }')
gpg --batch --armor --export "$old" >"$WORK/old.pub.asc"
gpg --batch --quiet --faked-system-time 20210601T000000 --yes --armor --detach-sign -u "$old" \
  -o "$lock.asc" "$lock" 2>/dev/null
unset GNUPGHOME
run_compose build "$recipe" --locked --lock-signed-by "$old" --signer-keyring "$WORK/old.pub.asc" \
  -o "$WORK/locked-old" >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "a lock signed before its key expired is refused"; }
expired="signed on 2021-06-01 00:00:00 UTC by key $old, which expired on 2022-01-01 00:00:00 UTC; the signature was made while the key was valid"
grep -qF "$expired" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "no warning that the lock's key has expired since"; }
[[ $(json "$WORK/locked-old/e2e.result.json" "any('$expired' in w for w in d['warnings'])") == True ]] ||
  fail "the report does not carry the expired-key warning"
mv "$WORK/lock.asc.good" "$lock.asc"
echo "lock signed by a key that has expired since: accepted with a warning"
status=0
run_compose build "$recipe" "${LOCK_SIGNER[@]}" -o "$WORK/out-fail" >/dev/null 2>"$WORK/stderr" || status=$?
[[ $status -eq 2 ]] || fail "--lock-signed-by without a lock: exit $status"
# Locking again without --sign removes the signature of the lock it replaces.
SOURCE_DATE_EPOCH=1600000000 run_compose lock "$recipe" -q >/dev/null
[[ ! -e "$lock.asc" ]] || fail "a stale lock signature was left beside the new lock"
echo "signed lock: ok"
