#!/usr/bin/env bash
# The SBOMs of a Debian build from the real, signed bookworm test mirror: valid (CycloneDX
# schema, SPDX 2.3 field by field), exactly the installed packages as deb purls, dependency
# edges through the first installed alternative, and licenses from the DEP-5 copyright files
# kept out of SPDX expressions.
# ctest-label: slow
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sbom_lib.sh"
command -v apt-get >/dev/null || { echo "SKIP: apt-get is not installed"; exit 77; }
mirror=${XDG_CACHE_HOME:-$HOME/.cache}/compose-test/debian-mirror
"$COMPOSE_SOURCE_DIR/tests/support/debian_mirror.sh" "$mirror"

cat >"$WORK/r.toml" <<TOML
name = "bookworm-sbom"
distribution = "debian"
release = "bookworm"
architecture = "amd64"
base = "required"
packages = ["openssh-server", "ca-certificates", "iproute2", "procps"]

[[repositories]]
url = "file://$mirror"
suites = ["\${release}"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]

[outputs]
formats = ["rootfs-tar"]
TOML
SOURCE_DATE_EPOCH=1750000000 "$COMPOSE" "$WORK/r.toml" -o "$WORK/out" --cache-dir "$WORK/cache" -q \
  >/dev/null || fail "compose failed"
result=$WORK/out/bookworm-sbom.result.json
sbom_check "$result" >"$WORK/edges.json" || fail "the SBOMs do not check out"

# apt Depends "gpgv | gpgv2 | gpgv1": the installed first alternative; bash Pre-Depends.
for edge in '["apt", "gpgv"]' '["apt", "libapt-pkg6.0"]' '["bash", "base-files"]'; do
  grep -qF "$edge" "$WORK/edges.json" || fail "dependency edge missing: $edge"
done

"$PYTHON" - "$result" "$WORK/out/bookworm-sbom.spdx.json" "$WORK/out/bookworm-sbom.cdx.json" <<'PY' ||
import json, sys
result, spdx, cdx = (json.load(open(path)) for path in sys.argv[1:])
licenses = {p["name"]: p["license"] for p in result["packages"]}
# DEP-5 files declare these; libc6's copyright file is free-form and declares nothing.
assert licenses["apt"] == "GPL-2+", licenses["apt"]
assert licenses["zlib1g"] == "Zlib", licenses["zlib1g"]
assert licenses["libc6"] == "", licenses["libc6"]
assert sum(1 for value in licenses.values() if value) > len(licenses) // 2, licenses
apt = next(p for p in spdx["packages"] if p["name"] == "apt")
assert apt["licenseDeclared"] == "NOASSERTION", apt
assert apt["licenseComments"] == "declared by the package as: GPL-2+", apt
assert apt["externalRefs"][0]["referenceLocator"].startswith("pkg:deb/debian/apt@"), apt
bsdutils = next(c for c in cdx["components"] if c["name"] == "bsdutils")
assert bsdutils["purl"].startswith("pkg:deb/debian/bsdutils@1:"), bsdutils["purl"]
assert "%2B" in bsdutils["purl"] or "+" not in bsdutils["version"], bsdutils["purl"]
apt_cdx = next(c for c in cdx["components"] if c["name"] == "apt")
assert apt_cdx["licenses"] == [{"license": {"name": "GPL-2+"}}], apt_cdx["licenses"]
PY
  fail "Debian licenses or package URLs are not as expected"
echo "ok"
