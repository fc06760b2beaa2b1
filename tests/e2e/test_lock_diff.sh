#!/usr/bin/env bash
# compose diff on real locks. Debian: one recipe locked against this machine's own signed
# mirror (url = "host-apt") as bookworm was released, and again with the bookworm-updates and
# bookworm-security pockets added: the real security and stable updates show as upgrades with
# their source packages, the two pockets as added repositories; dpkg --compare-versions
# agrees with every verdict; the diff in reverse shows downgrades. Alpine: a generated signed
# mirror that moves on (a newer supervisor, re-signed), locked before and after. Nothing of
# the mirror's host name is printed.
source "$(dirname "$0")/lib.sh"

json() {
  python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# ---- Alpine: the mirror moves on ---------------------------------------------------------------
KEY=$("$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/trust" \
  --private-key "$WORK/mirror-signing.pem")
write_recipe "$WORK/r.toml" "file://$WORK/mirror" alpine-baselayout busybox supervisor
SOURCE_DATE_EPOCH=1600000000 run_compose lock "$WORK/r.toml" --lock "$WORK/before.lock.json" -q >/dev/null
"$COMPOSE_FIXTURE" alpine-mirror --out "$WORK/mirror" --trust-dir "$WORK/trust" \
  --private-key "$WORK/mirror-signing.pem" --add-version supervisor=4.2.5-r6 >/dev/null
SOURCE_DATE_EPOCH=1600000000 CACHE=$WORK/cache-after run_compose lock "$WORK/r.toml" \
  --lock "$WORK/after.lock.json" -q >/dev/null
"$COMPOSE" diff "$WORK/before.lock.json" "$WORK/after.lock.json" >"$WORK/alpine.md"
grep -qF "| supervisor | x86_64 | upgraded | 4.2.5-r5 | 4.2.5-r6 | supervisor 4.2.5-r5 -> 4.2.5-r6 |" "$WORK/alpine.md" ||
  { cat "$WORK/alpine.md"; fail "the supervisor upgrade is not in the diff"; }
grep -qF "Packages: 0 added, 0 removed, 1 upgraded, 0 downgraded, 0 rebuilt" "$WORK/alpine.md" ||
  { cat "$WORK/alpine.md"; fail "Alpine summary"; }
grep -qF "/v3.22/community | changed | index sha256" "$WORK/alpine.md" || fail "the re-signed index is not named"
"$COMPOSE" diff "$WORK/before.lock.json" "$WORK/before.lock.json" | grep -q "^No changes" ||
  fail "a lock against itself"
echo "alpine: ok"

# ---- bad input ---------------------------------------------------------------------------------
status=0
"$COMPOSE" diff "$WORK/before.lock.json" "$WORK/missing.lock.json" >/dev/null 2>"$WORK/stderr" || status=$?
[[ $status -eq 1 ]] && grep -q "missing.lock.json" "$WORK/stderr" || fail "a missing lock: exit $status"
status=0
"$COMPOSE" diff "$WORK/before.lock.json" "$WORK/after.lock.json" --format yaml >/dev/null 2>&1 || status=$?
[[ $status -eq 2 ]] || fail "--format yaml: exit $status"

# ---- Debian: the release, then with its update pockets ------------------------------------------
for tool in apt-get dpkg; do
  command -v "$tool" >/dev/null || { echo "Debian part skipped: $tool is not installed"; exit 0; }
done
if ! grep -rqs "bookworm-security" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "Debian part skipped: this machine's apt sources have no bookworm-security"
  exit 0
fi
# write_debian_recipe FILE SUITE…: one host-apt repository per suite (the security pocket lives
# at another URI, which host-apt finds per repository).
write_debian_recipe() {
  local file=$1
  shift
  cat >"$file" <<'TOML'
name = "bookworm-diff"
distribution = "debian"
release = "bookworm"
architecture = "amd64"
base = "none"
packages = ["procps", "openssl", "tzdata", "libxml2"]
TOML
  for suite in "$@"; do
    cat >>"$file" <<TOML

[[repositories]]
url = "host-apt"
suites = ["$suite"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]
TOML
  done
}
mkdir -p "$WORK/deb"
write_debian_recipe "$WORK/deb/release.toml" bookworm
write_debian_recipe "$WORK/deb/updated.toml" bookworm bookworm-updates bookworm-security
for name in release updated; do
  "$COMPOSE" lock "$WORK/deb/$name.toml" --trust-dir "$COMPOSE_SOURCE_DIR/keys" \
    --cache-dir "$WORK/deb-cache" -q >/dev/null || fail "lock $name"
done
release=$WORK/deb/release.lock.json updated=$WORK/deb/updated.lock.json
"$COMPOSE" diff "$release" "$updated" --format json >"$WORK/diff.json"
"$COMPOSE" diff "$release" "$updated" >"$WORK/diff.md"
"$COMPOSE" diff "$updated" "$release" --format json >"$WORK/reverse.json"

# The oracle: the two locks read directly, dpkg judging every version pair.
python3 - "$release" "$updated" "$WORK/diff.json" "$WORK/reverse.json" <<'PY' || fail "the Debian diff"
import json, subprocess, sys
old, new, diff, reverse = (json.load(open(p)) for p in sys.argv[1:5])
def packages(lock):
    return {(p["name"], p["architecture"]): p for p in lock["packages"]}
before, after = packages(old), packages(new)
assert set(before) == set(after), "the same request resolves to the same package names"
changed = {key for key in before if before[key]["version"] != after[key]["version"]}
assert changed, "no package changed between the release and its updates"
reported = {(p["name"], p["architecture"]): p for p in diff["packages"]}
reverse_by = {(p["name"], p["architecture"]): p for p in reverse["packages"]}
assert set(reverse_by) == changed, "the reverse diff names other packages"
assert set(reported) == changed, (sorted(reported), sorted(changed))
def source(package):
    for line in package["record"].splitlines():
        if line.startswith("Source: "):
            name, _, version = line[8:].partition(" (")
            return name, version.rstrip(")") or package["version"]
    return package["name"], package["version"]
for key in changed:
    entry = reported[key]
    a, b = before[key]["version"], after[key]["version"]
    verdict = "upgraded" if subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0 else "downgraded"
    assert entry["change"] == verdict, (key, a, b, entry["change"])
    assert (entry["old"]["version"], entry["new"]["version"]) == (a, b)
    assert (entry["old"]["source"], entry["old"]["source_version"]) == source(before[key]), key
    assert (entry["new"]["source"], entry["new"]["source_version"]) == source(after[key]), key
    assert reverse_by[key]["change"] == {"upgraded": "downgraded", "downgraded": "upgraded"}[verdict], key
summary = diff["summary"]
assert summary["unchanged"] == len(before) - len(changed)
assert summary["added"] == summary["removed"] == 0
added = sorted(r["name"].split(" ", 1)[1] for r in diff["repositories"] if r["change"] == "added")
assert added == ["bookworm-security/main", "bookworm-updates/main"], added
assert {r["change"] for r in reverse["repositories"]} == {"removed"}
print(f"  {len(changed)} packages upgraded by the update pockets, e.g. " +
      ", ".join(sorted(f"{k[0]} {before[k]['version']} -> {after[k]['version']}" for k in changed)[:3]))
PY
grep -q "^| .* | upgraded | " "$WORK/diff.md" || fail "the Markdown lists no upgrade"
grep -qF "bookworm-security/main | added" "$WORK/diff.md" || fail "the Markdown lacks the security pocket"
echo "debian: ok"
