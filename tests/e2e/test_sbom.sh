#!/usr/bin/env bash
# Every build writes an SPDX 2.3 and a CycloneDX 1.5 document. The BOM must validate
# against the official CycloneDX 1.5 schema (from the CycloneDX library's npm package), the
# SPDX document against SPDX 2.3 field by field (no package ships its schema), and both
# must list exactly the installed packages of the report, with the resolved dependency edges.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sbom_lib.sh"

make_mirror
write_recipe "$WORK/r.toml" "file://$WORK/mirror" "${BASE_PACKAGES[@]}"
# No ext4 image is asked for: the SBOMs come with every build regardless.
sed -i 's/^formats = .*/formats = ["rootfs-tar", "oci"]/' "$WORK/r.toml"
SOURCE_DATE_EPOCH=1700000000 run_compose "$WORK/r.toml" -o "$WORK/out" -q >"$WORK/stdout"
for name in e2e.spdx.json e2e.cdx.json; do
  [[ -f "$WORK/out/$name" ]] || fail "$name was not written"
  grep -qF "$name" "$WORK/stdout" || fail "stdout does not list $name"
done

sbom_check "$WORK/out/e2e.result.json" >"$WORK/edges.json" || fail "the SBOMs do not check out"

# Edges through a package name, a so: provider, a path provider and a versioned name.
for edge in '["alpine-baselayout", "busybox-binsh"]' '["apk-tools", "libssl3"]' \
  '["busybox", "musl"]' '["busybox-binsh", "busybox"]' \
  '["openssh-server", "openssh-server-common"]'; do
  grep -qF "$edge" "$WORK/edges.json" || fail "dependency edge missing: $edge"
done

# The image manifest names both documents by digest.
"$PYTHON" - "$WORK/out" <<'PY' || fail "the OCI manifest does not name the SBOMs"
import hashlib, json, sys, tarfile
out = sys.argv[1]
with tarfile.open(f"{out}/e2e.oci.tar") as archive:
    index = json.load(archive.extractfile("index.json"))
    digest = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.load(archive.extractfile(f"blobs/sha256/{digest}"))
for key, name in (("compose.sbom.spdx", "e2e.spdx.json"), ("compose.sbom.cyclonedx", "e2e.cdx.json")):
    expected = "sha256:" + hashlib.sha256(open(f"{out}/{name}", "rb").read()).hexdigest()
    assert manifest["annotations"].get(key) == expected, (key, manifest["annotations"])
PY

# The documents are dated by the epoch, not the clock.
grep -q '"created": "2023-11-14T22:13:20Z"' "$WORK/out/e2e.spdx.json" || fail "SPDX created is not the epoch"
grep -q '"timestamp": "2023-11-14T22:13:20Z"' "$WORK/out/e2e.cdx.json" || fail "CycloneDX timestamp is not the epoch"

# A check that cannot fail proves nothing: a BOM with one package too many must be refused.
"$PYTHON" - "$WORK/out" <<'PY'
import hashlib, json, sys
out = sys.argv[1]
bom = json.load(open(f"{out}/e2e.cdx.json"))
extra = dict(bom["components"][0], name="intruder", purl="pkg:apk/alpine/intruder@1-r0?arch=x86_64")
extra["bom-ref"] = extra["purl"]
bom["components"].append(extra)
bom["dependencies"].append({"ref": extra["purl"], "dependsOn": []})
data = json.dumps(bom).encode()
open(f"{out}/e2e.cdx.json", "wb").write(data)
result = json.load(open(f"{out}/e2e.result.json"))
for output in result["outputs"]:
    if output["kind"] == "cyclonedx":
        output["sha256"], output["size"] = hashlib.sha256(data).hexdigest(), len(data)
json.dump(result, open(f"{out}/e2e.result.json", "w"))
PY
if sbom_check "$WORK/out/e2e.result.json" >/dev/null 2>"$WORK/tampered.stderr"; then
  fail "a BOM with a package that is not installed passed the check"
fi
grep -q "not the installed packages" "$WORK/tampered.stderr" || { cat "$WORK/tampered.stderr" >&2; fail "wrong complaint"; }
echo "ok"
