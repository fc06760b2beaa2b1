# Shared by the SBOM end-to-end tests (sourced after lib.sh): finds a Python with jsonschema
# and fetches the official CycloneDX schemas from npm, or skips the test when either tool is
# absent. Sets PYTHON and SCHEMAS; sbom_check runs tests/e2e/sbom_check.py.
command -v npm >/dev/null || { echo "SKIP: npm is not installed"; exit 77; }
PYTHON=
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c "import jsonschema" 2>/dev/null; then
    PYTHON=$candidate
    break
  fi
done
[[ -n "$PYTHON" ]] || { echo "SKIP: python3-jsonschema is not installed"; exit 77; }

# The CycloneDX JavaScript library ships bom-1.5 with the schemas it refers to. Fetched once
# per build directory; npm checks the package against the registry's integrity hash.
SCHEMA_PACKAGE=@cyclonedx/cyclonedx-library@10.3.0
SCHEMAS=${COMPOSE_BUILD_DIR:-$WORK}/test-cache/cyclonedx-library-10.3.0-schema
if [[ ! -f "$SCHEMAS/bom-1.5.SNAPSHOT.schema.json" ]]; then
  mkdir -p "$WORK/npm"
  (cd "$WORK/npm" && npm pack "$SCHEMA_PACKAGE" --silent --cache "$WORK/npm/cache") \
    >"$WORK/npm/tarball" 2>"$WORK/npm/stderr" ||
    { cat "$WORK/npm/stderr" >&2; fail "npm pack $SCHEMA_PACKAGE"; }
  tar -xzf "$WORK/npm/$(tail -n1 "$WORK/npm/tarball")" -C "$WORK/npm" package/res/schema
  mkdir -p "$(dirname "$SCHEMAS")"
  rm -rf "$SCHEMAS.partial.$$"
  cp -r "$WORK/npm/package/res/schema" "$SCHEMAS.partial.$$"
  mv -T "$SCHEMAS.partial.$$" "$SCHEMAS" 2>/dev/null || rm -rf "$SCHEMAS.partial.$$"
fi

# sbom_check RESULT_JSON: both SBOMs valid and listing exactly the report's packages; prints
# the dependency edges as JSON.
sbom_check() {
  "$PYTHON" "$COMPOSE_SOURCE_DIR/tests/e2e/sbom_check.py" "$SCHEMAS" "$1"
}
