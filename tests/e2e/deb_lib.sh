# Shared by the Debian tests that tamper with a mirror (sourced after lib.sh): a copy of the
# real bookworm mirror (tests/support/debian_mirror.sh) and a throwaway OpenPGP key for small
# repositories of their own. Skips the test when a tool is missing; sets REAL_MIRROR.
for tool in apt-get gpg ar xz; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed"; exit 77; }
done
REAL_MIRROR=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$REAL_MIRROR"

# copy_real_mirror DIR: indexes copied, pool as symbolic links (replaced when tampered).
copy_real_mirror() {
  rm -rf "$1"
  mkdir -p "$1"
  cp -r "$REAL_MIRROR/dists" "$1/dists"
  cp -rs "$REAL_MIRROR/pool" "$1/pool"
}

# write_real_recipe FILE NAME MIRROR-DIR: procps alone from bookworm, Debian's keys.
write_real_recipe() {
  cat >"$1" <<TOML
name = "$2"
distribution = "debian"
release = "bookworm"
base = "none"
packages = ["procps"]

[[repositories]]
url = "file://$3"
suites = ["bookworm"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]
TOML
}

# make_throwaway_key: a signing key in GNUPGHOME=$WORK/gnupg, trusted as "throwaway.gpg"
# through $WORK/trust and $WORK/keys.
make_throwaway_key() {
  export GNUPGHOME=$WORK/gnupg
  mkdir -m 700 "$GNUPGHOME"
  gpg --batch --quiet --passphrase '' --quick-gen-key "Compose Test <test@example.org>" ed25519 sign never 2>/dev/null
  local fingerprint
  fingerprint=$(gpg --with-colons --list-keys | awk -F: '$1 == "fpr" { print tolower($10); exit }')
  mkdir -p "$WORK/trust" "$WORK/keys"
  gpg --export >"$WORK/keys/throwaway.gpg"
  cat >"$WORK/trust/throwaway.toml" <<TOML
[[key]]
name = "throwaway.gpg"
kind = "openpgp"
url = "https://invalid.example/throwaway.gpg"
fingerprints = ["$fingerprint"]
TOML
}
