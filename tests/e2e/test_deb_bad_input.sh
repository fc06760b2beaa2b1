#!/usr/bin/env bash
# Bad input on the .deb path, each a clear error, exit 1 and nothing in out/: a Packages file
# whose hash does not match the signed Release, a .deb whose hash does not match Packages, a
# truncated .deb (both from copies of the real bookworm mirror), a .deb with a compression
# dpkg does not know, and an expired Valid-Until — refused, then accepted with
# --allow-expired-release and recorded in the report, and in a lock whose locked build needs
# the override again and reports both; and a Packages index with stanzas apt skips or compose cannot use,
# which are warnings naming the index line and package while the rest builds (a small
# repository signed by a throwaway OpenPGP key).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/deb_lib.sh"
real=$REAL_MIRROR

# expect_deb_failure TEXT RECIPE [ARGS...]
expect_deb_failure() {
  local text=$1 recipe=$2
  shift 2
  local out=$WORK/out-fail status=0
  rm -rf "$out"
  "$COMPOSE" "$recipe" -o "$out" --cache-dir "$(mktemp -d "$WORK/cache.XXXXXX")" "$@" \
    2>"$WORK/stderr" >/dev/null || status=$?
  [[ $status -eq 1 ]] || { cat "$WORK/stderr" >&2; fail "expected exit 1, got $status"; }
  grep -qF -- "$text" "$WORK/stderr" || { cat "$WORK/stderr" >&2; fail "stderr lacks: $text"; }
  if [[ -e "$out" ]] && [[ -n "$(ls -A "$out")" ]]; then fail "output left behind in $out"; fi
  sed "s/^/  /" "$WORK/stderr"
}

write_real_recipe "$WORK/real.toml" bad "$WORK/m"
procps=$(cd "$real" && ls pool/main/p/procps/procps_*.deb)

echo "case: Packages.xz does not match the signed Release"
copy_real_mirror "$WORK/m"
flip_byte "$WORK/m/dists/bookworm/main/binary-amd64/Packages.xz" 4000
expect_deb_failure "Packages.xz" "$WORK/real.toml"
grep -q "SHA-256\|sha256" "$WORK/stderr" || fail "the message does not mention the digest"

echo "case: a .deb does not match its Packages record"
copy_real_mirror "$WORK/m"
rm "$WORK/m/$procps" && cp "$real/$procps" "$WORK/m/$procps"
flip_byte "$WORK/m/$procps" 2000
expect_deb_failure "$(basename "$procps")" "$WORK/real.toml"

echo "case: a truncated .deb"
copy_real_mirror "$WORK/m"
rm "$WORK/m/$procps" && head -c 5000 "$real/$procps" >"$WORK/m/$procps"
expect_deb_failure "$(basename "$procps")" "$WORK/real.toml"

# A small repository signed by a throwaway key: suite "fresh" and suite "stale" (expired).
make_throwaway_key

# make_deb OUT DATA-MEMBER-NAME: a one-file package "tiny".
make_deb() {
  local dir=$WORK/debsrc
  rm -rf "$dir" && mkdir -p "$dir/control" "$dir/data/usr/share/tiny"
  printf 'Package: tiny\nVersion: 1.0\nArchitecture: amd64\nMaintainer: Test <test@example.org>\nDescription: tiny\n' \
    >"$dir/control/control"
  echo hello >"$dir/data/usr/share/tiny/hello"
  printf '2.0\n' >"$dir/debian-binary"
  tar -C "$dir/control" -czf "$dir/control.tar.gz" .
  tar -C "$dir/data" -czf "$dir/$2" .
  (cd "$dir" && ar rc "$1" debian-binary control.tar.gz "$2")
}
# make_suite NAME DATA-MEMBER-NAME [VALID-UNTIL [EXTRA-STANZAS]]
make_suite() {
  local repo=$WORK/tiny suite=$1
  mkdir -p "$repo/pool/$suite" "$repo/dists/$suite/main/binary-amd64"
  make_deb "$repo/pool/$suite/tiny_1.0_amd64.deb" "$2"
  local deb=$repo/pool/$suite/tiny_1.0_amd64.deb
  {
    printf 'Package: tiny\nVersion: 1.0\nArchitecture: amd64\nMaintainer: Test <test@example.org>\n'
    printf 'Priority: optional\nFilename: pool/%s/tiny_1.0_amd64.deb\nSize: %s\nSHA256: %s\nDescription: tiny\n' \
      "$suite" "$(stat -c %s "$deb")" "$(sha256sum "$deb" | cut -d' ' -f1)"
    [[ -z "${4:-}" ]] || printf '\n%s' "$4"
  } >"$repo/dists/$suite/main/binary-amd64/Packages"
  local packages=$repo/dists/$suite/main/binary-amd64/Packages
  {
    printf 'Origin: Test\nSuite: %s\nCodename: %s\nDate: Sat, 01 Jan 2022 00:00:00 UTC\n' "$suite" "$suite"
    [[ -n "${3:-}" ]] && printf 'Valid-Until: %s\n' "$3"
    printf 'Architectures: amd64\nComponents: main\nSHA256:\n %s %s main/binary-amd64/Packages\n' \
      "$(sha256sum "$packages" | cut -d' ' -f1)" "$(stat -c %s "$packages")"
  } >"$repo/dists/$suite/Release"
  gpg --batch --quiet --yes --digest-algo SHA256 --clearsign --output "$repo/dists/$suite/InRelease" \
    "$repo/dists/$suite/Release"
}
make_suite fresh data.tar.lz4
make_suite stale data.tar.gz "Sun, 02 Jan 2022 00:00:00 UTC"
# Stanzas apt skips (no Version) or reads although compose cannot use them (a version dpkg
# refuses, an unknown operator), and a Provides apt ignores (not '='): each a warning.
make_suite odd data.tar.gz "" "Package: noversion
Architecture: amd64
Filename: pool/odd/x.deb
Size: 1
SHA256: $(printf '%064d' 0)

Package: badversion
Version: a1.0
Architecture: amd64
Filename: pool/odd/x.deb
Size: 1
SHA256: $(printf '%064d' 0)

Package: badoperator
Version: 1.0
Architecture: amd64
Depends: tiny (!! 1.0)
Filename: pool/odd/x.deb
Size: 1
SHA256: $(printf '%064d' 0)

Package: tiny-virtual
Version: 1.0
Architecture: amd64
Depends: tiny
Provides: tiny-feature (>= 2)
Filename: pool/odd/x.deb
Size: 1
SHA256: $(printf '%064d' 0)
"
write_tiny_recipe() {
  cat >"$WORK/tiny-$1.toml" <<TOML
name = "tiny"
distribution = "debian"
release = "$1"
base = "none"
packages = ["tiny"]

[[repositories]]
url = "file://$WORK/tiny"
suites = ["$1"]
components = ["main"]
keys = ["throwaway.gpg"]
TOML
}
write_tiny_recipe fresh
write_tiny_recipe stale
write_tiny_recipe odd
trust=(--trust-dir "$WORK/trust" --keys-dir "$WORK/keys")

echo "case: a .deb member in a compression dpkg does not know"
expect_deb_failure "unknown compression" "$WORK/tiny-fresh.toml" "${trust[@]}"
grep -qF "data.tar.lz4" "$WORK/stderr" || fail "the message does not name the member"

echo "case: an expired Valid-Until"
expect_deb_failure "Valid-Until" "$WORK/tiny-stale.toml" "${trust[@]}"
"$COMPOSE" "$WORK/tiny-stale.toml" -o "$WORK/out-stale" --cache-dir "$WORK/cache-stale" \
  "${trust[@]}" --allow-expired-release -q >/dev/null 2>"$WORK/stderr" ||
  { cat "$WORK/stderr"; fail "--allow-expired-release did not build"; }
python3 - "$WORK/out-stale/tiny.result.json" <<'PY' || fail "the override is not in the report"
import json, sys
overrides = json.load(open(sys.argv[1]))["verification_overrides"]
assert len(overrides) == 1 and "Valid-Until" in overrides[0], overrides
print("  recorded:", overrides[0])
PY

echo "case: a lock made with --allow-expired-release keeps the override"
"$COMPOSE" lock "$WORK/tiny-stale.toml" --cache-dir "$WORK/cache-stale" "${trust[@]}" \
  --allow-expired-release -q >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr"; fail "lock failed"; }
python3 - "$WORK/tiny-stale.lock.json" <<'PY' || fail "the override is not in the lock"
import json, sys
overrides = json.load(open(sys.argv[1]))["repositories"][0]["verification_overrides"]
assert len(overrides) == 1 and "Valid-Until" in overrides[0], overrides
PY
# The locked build verifies the Release again: its Valid-Until needs the override again (a
# lock is no signed statement that it may be ignored).
expect_deb_failure "Valid-Until" "$WORK/tiny-stale.toml" --locked "${trust[@]}"
"$COMPOSE" build "$WORK/tiny-stale.toml" --locked -o "$WORK/out-stale-locked" \
  --cache-dir "$WORK/cache-stale" "${trust[@]}" --allow-expired-release -q >/dev/null 2>"$WORK/stderr" ||
  { cat "$WORK/stderr"; fail "the locked build failed"; }
grep -q "Valid-Until accepted (--allow-expired-release), recorded in the lock" "$WORK/stderr" ||
  { cat "$WORK/stderr"; fail "the locked build does not warn about the override"; }
python3 - "$WORK/out-stale-locked/tiny.result.json" <<'PY' || fail "the locked build's report lacks it"
import json, sys
overrides = json.load(open(sys.argv[1]))["verification_overrides"]
assert len(overrides) == 2 and overrides[1].endswith(", recorded in the lock"), overrides
assert overrides[0].endswith("expired Valid-Until accepted (--allow-expired-release)"), overrides
print("  locked build reports:", overrides)
PY

echo "case: stanzas apt skips or compose cannot use are warnings, the rest builds"
"$COMPOSE" "$WORK/tiny-odd.toml" -o "$WORK/out-odd" --cache-dir "$WORK/cache-odd" "${trust[@]}" \
  -q >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr"; fail "one bad stanza made the index unusable"; }
sed "s/^/  /" "$WORK/stderr"
index=file://$WORK/tiny/dists/odd/main/binary-amd64/Packages
for expected in "$index:11: package 'noversion' skipped: no Version" \
  "$index:17: package 'badversion' skipped" "$index:24: package 'badoperator' skipped: bad relation" \
  "$index:32: package 'tiny-virtual': Provides 'tiny-feature (>= 2)' ignored"; do
  grep -qF "$expected" "$WORK/stderr" || fail "no warning: $expected"
  grep -qF "$expected" "$WORK/out-odd/tiny.result.json" || fail "not in the report: $expected"
done
echo "ok"
