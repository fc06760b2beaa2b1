#!/usr/bin/env bash
# compose's OpenPGP verdicts on the real, signed Debian bookworm InRelease agree with gpgv's:
# the original, a flipped byte in the signed text, a signature by an unknown key; and where
# apt is stricter than gpgv (text after the signature block), we follow apt. The same for the
# detached form (Release + Release.gpg): the original, a flipped byte, a stranger's signature.
source "$(dirname "$0")/lib.sh"
for tool in gpgv gpg apt-get; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[[ -r $keyring ]] || { echo "skipped: $keyring missing"; exit 77; }

mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror" --indexes-only
inrelease=$mirror/dists/bookworm/InRelease

ours() { "$COMPOSE_FIXTURE" verify-inrelease "$1" "$keyring" 2>/dev/null | head -n1 || true; }
theirs() { gpgv --keyring "$keyring" "$1" >/dev/null 2>&1 && echo good || echo rejected; }
agree() {
  local name=$1 file=$2 expected=$3
  local a b
  a=$(ours "$file")
  b=$(theirs "$file")
  echo "$name: compose '$a', gpgv '$b'"
  [[ ${a%%[: ]*} == "$expected" ]] || fail "$name: compose says '$a', expected $expected"
  [[ $b == "$expected" ]] || fail "$name: gpgv says '$b', expected $expected"
}

agree original "$inrelease" good

cp "$inrelease" "$WORK/flipped"
python3 - "$WORK/flipped" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.find(b"\nSuite: ") + 9
data[at] ^= 1
open(sys.argv[1], "wb").write(bytes(data))
PY
agree "flipped byte in the signed text" "$WORK/flipped" rejected

# Re-signed by a key nobody trusts.
export GNUPGHOME=$WORK/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key "Stranger <stranger@example.org>" ed25519 sign never 2>/dev/null
gpgv --keyring "$keyring" --output "$WORK/release" "$inrelease" 2>/dev/null
gpg --batch --quiet --yes --clearsign --output "$WORK/stranger" "$WORK/release"
a=$(ours "$WORK/stranger")
[[ $a == "rejected: "*"unknown key"* ]] || fail "stranger's signature: compose says '$a'"
[[ $(theirs "$WORK/stranger") == rejected ]] || fail "gpgv accepted the stranger's signature"

# Text after the signature block: gpgv still checks the signed part, apt refuses the file.
cp "$inrelease" "$WORK/appended"
printf 'Suite: evil\n' >>"$WORK/appended"
a=$(ours "$WORK/appended")
[[ $a == "rejected: data after the signature block" ]] || fail "appended text: compose says '$a'"

# The text we hand to parsers is exactly what gpgv says was signed.
COMPOSE_VERIFIED_TEXT=$WORK/ours.txt "$COMPOSE_FIXTURE" verify-inrelease "$inrelease" "$keyring" \
  >/dev/null 2>&1
cmp "$WORK/ours.txt" "$WORK/release" || fail "verified text differs from gpgv's output"
# Release + Release.gpg, the fallback when a mirror has no InRelease.
release=$mirror/dists/bookworm/Release
detached=$mirror/dists/bookworm/Release.gpg
ours_detached() { "$COMPOSE_FIXTURE" verify-detached "$1" "$2" "$keyring" 2>/dev/null | head -n1 || true; }
theirs_detached() { gpgv --keyring "$keyring" "$2" "$1" >/dev/null 2>&1 && echo good || echo rejected; }
agree_detached() {
  local name=$1 data=$2 signature=$3 expected=$4
  local a b
  a=$(ours_detached "$data" "$signature")
  b=$(theirs_detached "$data" "$signature")
  echo "$name: compose '$a', gpgv '$b'"
  [[ ${a%%[: ]*} == "$expected" ]] || fail "$name: compose says '$a', expected $expected"
  [[ $b == "$expected" ]] || fail "$name: gpgv says '$b', expected $expected"
}
agree_detached "detached original" "$release" "$detached" good
cp "$release" "$WORK/release-flipped"
flip_byte "$WORK/release-flipped" 20
agree_detached "detached, flipped byte" "$WORK/release-flipped" "$detached" rejected
gpg --batch --quiet --yes --detach-sign --output "$WORK/stranger.gpg" "$release"
agree_detached "detached, stranger's signature" "$release" "$WORK/stranger.gpg" rejected
echo "ok"
