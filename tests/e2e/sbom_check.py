#!/usr/bin/env python3
"""Checks a build's SBOMs: the CycloneDX BOM against the official CycloneDX 1.5 JSON schema,
the SPDX document field by field against SPDX 2.3 (clauses 6-7 and 11, as a JSON schema
written from the spec, since no Debian or npm package ships the SPDX 2.3 schema), and both
against the build report: they list exactly its installed packages, and the report lists
them as outputs with their digests.

Usage: sbom_check.py CYCLONEDX_SCHEMA_DIR RESULT_JSON
The schema directory holds bom-1.5, spdx and jsf-0.82 schemas as @cyclonedx/cyclonedx-library
ships them (res/schema/*.SNAPSHOT.schema.json)."""
import hashlib
import json
import os
import sys
import urllib.parse

import jsonschema

TIMESTAMP = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$"
SPDX_ID = r"^SPDXRef-[a-zA-Z0-9.-]+$"
CHECKSUM_ALGORITHMS = ["SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SHA3-256", "SHA3-384",
                       "SHA3-512", "BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3", "MD2",
                       "MD4", "MD5", "MD6", "ADLER32"]
# SPDX 2.3 clause 11.1, relationship types.
RELATIONSHIP_TYPES = [
    "DESCRIBES", "DESCRIBED_BY", "CONTAINS", "CONTAINED_BY", "DEPENDS_ON", "DEPENDENCY_OF",
    "DEPENDENCY_MANIFEST_OF", "BUILD_DEPENDENCY_OF", "DEV_DEPENDENCY_OF",
    "OPTIONAL_DEPENDENCY_OF", "PROVIDED_DEPENDENCY_OF", "TEST_DEPENDENCY_OF",
    "RUNTIME_DEPENDENCY_OF", "EXAMPLE_OF", "GENERATES", "GENERATED_FROM", "ANCESTOR_OF",
    "DESCENDANT_OF", "VARIANT_OF", "DISTRIBUTION_ARTIFACT", "PATCH_FOR", "PATCH_APPLIED",
    "COPY_OF", "FILE_ADDED", "FILE_DELETED", "FILE_MODIFIED", "EXPANDED_FROM_ARCHIVE",
    "DYNAMIC_LINK", "STATIC_LINK", "DATA_FILE_OF", "TEST_CASE_OF", "BUILD_TOOL_OF",
    "DEV_TOOL_OF", "TEST_OF", "TEST_TOOL_OF", "DOCUMENTATION_OF", "OPTIONAL_COMPONENT_OF",
    "METAFILE_OF", "PACKAGE_OF", "AMENDS", "PREREQUISITE_FOR", "HAS_PREREQUISITE",
    "REQUIREMENT_DESCRIPTION_FOR", "SPECIFICATION_FOR", "OTHER"]
# Clause 7: every package field SPDX 2.3 defines, in its JSON spelling; nothing else.
PACKAGE = {
    "type": "object",
    "required": ["SPDXID", "name", "downloadLocation"],
    "additionalProperties": False,
    "properties": {
        "SPDXID": {"type": "string", "pattern": SPDX_ID},
        "name": {"type": "string", "minLength": 1},
        "versionInfo": {"type": "string"},
        "packageFileName": {"type": "string"},
        "supplier": {"type": "string", "pattern": r"^(NOASSERTION|(Person|Organization): .+)$"},
        "originator": {"type": "string", "pattern": r"^(NOASSERTION|(Person|Organization): .+)$"},
        "downloadLocation": {"type": "string", "minLength": 1},
        "filesAnalyzed": {"type": "boolean"},
        "packageVerificationCode": {"type": "object"},
        "checksums": {"type": "array", "items": {
            "type": "object", "required": ["algorithm", "checksumValue"],
            "additionalProperties": False,
            "properties": {"algorithm": {"enum": CHECKSUM_ALGORITHMS},
                           "checksumValue": {"type": "string", "pattern": "^[0-9a-f]+$"}}}},
        "homepage": {"type": "string"},
        "sourceInfo": {"type": "string"},
        "licenseConcluded": {"type": "string"},
        "licenseInfoFromFiles": {"type": "array", "items": {"type": "string"}},
        "licenseDeclared": {"type": "string"},
        "licenseComments": {"type": "string"},
        "copyrightText": {"type": "string"},
        "summary": {"type": "string"},
        "description": {"type": "string"},
        "comment": {"type": "string"},
        "externalRefs": {"type": "array", "items": {
            "type": "object",
            "required": ["referenceCategory", "referenceType", "referenceLocator"],
            "additionalProperties": False,
            "properties": {
                "referenceCategory": {"enum": ["SECURITY", "PACKAGE-MANAGER", "PACKAGE_MANAGER",
                                               "PERSISTENT-ID", "PERSISTENT_ID", "OTHER"]},
                "referenceType": {"type": "string"},
                "referenceLocator": {"type": "string", "pattern": r"^\S+$"},
                "comment": {"type": "string"}}}},
        "attributionTexts": {"type": "array", "items": {"type": "string"}},
        "primaryPackagePurpose": {"enum": [
            "APPLICATION", "FRAMEWORK", "LIBRARY", "CONTAINER", "OPERATING-SYSTEM", "DEVICE",
            "FIRMWARE", "SOURCE", "ARCHIVE", "FILE", "INSTALL", "OTHER"]},
        "releaseDate": {"type": "string", "pattern": TIMESTAMP},
        "builtDate": {"type": "string", "pattern": TIMESTAMP},
        "validUntilDate": {"type": "string", "pattern": TIMESTAMP},
        "annotations": {"type": "array"},
        "hasFiles": {"type": "array", "items": {"type": "string"}},
    },
}
# Clause 6: document creation information, plus the top-level collections.
SPDX_2_3 = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["SPDXID", "spdxVersion", "dataLicense", "name", "documentNamespace",
                 "creationInfo"],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string"},
        "SPDXID": {"const": "SPDXRef-DOCUMENT"},
        "spdxVersion": {"const": "SPDX-2.3"},
        "dataLicense": {"const": "CC0-1.0"},
        "name": {"type": "string", "minLength": 1},
        "documentNamespace": {"type": "string", "pattern": r"^[a-z][a-z0-9+.-]*:[^#\s]+$"},
        "externalDocumentRefs": {"type": "array"},
        "comment": {"type": "string"},
        "creationInfo": {
            "type": "object", "required": ["created", "creators"], "additionalProperties": False,
            "properties": {
                "created": {"type": "string", "pattern": TIMESTAMP},
                "creators": {"type": "array", "minItems": 1, "items": {
                    "type": "string", "pattern": r"^(Person|Organization|Tool): \S.*$"}},
                "licenseListVersion": {"type": "string"},
                "comment": {"type": "string"}}},
        "packages": {"type": "array", "items": PACKAGE},
        "files": {"type": "array"},
        "snippets": {"type": "array"},
        "hasExtractedLicensingInfos": {"type": "array"},
        "annotations": {"type": "array"},
        "documentDescribes": {"type": "array", "items": {"type": "string"}},
        "relationships": {"type": "array", "items": {
            "type": "object",
            "required": ["spdxElementId", "relationshipType", "relatedSpdxElement"],
            "additionalProperties": False,
            "properties": {
                "spdxElementId": {"type": "string", "pattern": SPDX_ID},
                "relationshipType": {"enum": RELATIONSHIP_TYPES},
                "relatedSpdxElement": {"type": "string", "pattern": SPDX_ID},
                "comment": {"type": "string"}}}},
    },
}


def fail(message):
    print("sbom_check: " + message, file=sys.stderr)
    sys.exit(1)


def validate(validator, document, what):
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        for error in errors[:10]:
            print(f"  {what}: {'/'.join(map(str, error.path))}: {error.message}", file=sys.stderr)
        fail(f"{what} does not validate ({len(errors)} errors)")


def cyclonedx_validator(schema_dir):
    def load(name):
        with open(os.path.join(schema_dir, name)) as file:
            return json.load(file)
    bom = load("bom-1.5.SNAPSHOT.schema.json")
    # bom-1.5 refers to its neighbours by their file names, relative to its own $id.
    neighbours = {name: load(name) for name in ("spdx.SNAPSHOT.schema.json",
                                                "jsf-0.82.SNAPSHOT.schema.json")}
    base = bom["$id"].rsplit("/", 1)[0] + "/"
    store = {}
    for name, schema in neighbours.items():
        store[base + name] = schema
        store[schema["$id"]] = schema
    format_checker = jsonschema.Draft7Validator.FORMAT_CHECKER
    try:
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            (uri, Resource.from_contents(schema)) for uri, schema in store.items())
        return jsonschema.Draft7Validator(bom, registry=registry, format_checker=format_checker)
    except ImportError:  # jsonschema before 4.18 (Debian 12 has 4.10)
        resolver = jsonschema.RefResolver.from_schema(bom, store=store)
        return jsonschema.Draft7Validator(bom, resolver=resolver, format_checker=format_checker)


def purl_identity(purl):
    """(name, version, arch) of pkg:TYPE/NAMESPACE/NAME@VERSION?arch=ARCH."""
    if not purl.startswith("pkg:"):
        fail(f"not a package URL: {purl}")
    path, _, query = purl[4:].partition("?")
    _, _, name_version = path.split("/", 2)
    name, _, version = name_version.partition("@")
    arch = urllib.parse.parse_qs(query).get("arch", [""])[0]
    return (urllib.parse.unquote(name), urllib.parse.unquote(version), arch)


def main():
    schema_dir, result_path = sys.argv[1], sys.argv[2]
    out_dir = os.path.dirname(result_path)
    with open(result_path) as file:
        result = json.load(file)
    installed = sorted((p["name"], p["version"], p["architecture"]) for p in result["packages"])
    if not installed:
        fail("the report lists no packages")

    # The report names both documents among its outputs, with their digests.
    documents = {}
    for kind in ("spdx", "cyclonedx"):
        entries = [o for o in result["outputs"] if o["kind"] == kind]
        if len(entries) != 1:
            fail(f"the report lists {len(entries)} '{kind}' outputs")
        path = os.path.join(out_dir, entries[0]["file"])
        with open(path, "rb") as file:
            data = file.read()
        if hashlib.sha256(data).hexdigest() != entries[0]["sha256"]:
            fail(f"{entries[0]['file']}: sha256 differs from the report")
        if len(data) != entries[0]["size"]:
            fail(f"{entries[0]['file']}: size differs from the report")
        documents[kind] = json.loads(data)
    spdx, cdx = documents["spdx"], documents["cyclonedx"]

    validate(cyclonedx_validator(schema_dir), cdx, "CycloneDX BOM")
    validate(jsonschema.Draft7Validator(SPDX_2_3), spdx, "SPDX document")

    # SPDX: identifiers unique, relationships between known elements, the image described.
    ids = [p["SPDXID"] for p in spdx["packages"]]
    if len(ids) != len(set(ids)):
        fail("SPDX element ids are not unique")
    known = set(ids) | {"SPDXRef-DOCUMENT"}
    described = [r["relatedSpdxElement"] for r in spdx["relationships"]
                 if r["spdxElementId"] == "SPDXRef-DOCUMENT" and r["relationshipType"] == "DESCRIBES"]
    if len(described) != 1:
        fail(f"the SPDX document describes {len(described)} elements, expected the image only")
    image = described[0]
    for relation in spdx["relationships"]:
        for end in (relation["spdxElementId"], relation["relatedSpdxElement"]):
            if end not in known:
                fail(f"SPDX relationship names an unknown element: {end}")
    contained = {r["relatedSpdxElement"] for r in spdx["relationships"]
                 if r["spdxElementId"] == image and r["relationshipType"] == "CONTAINS"}
    spdx_packages = []
    for package in spdx["packages"]:
        if package["SPDXID"] == image:
            continue
        if package["SPDXID"] not in contained:
            fail(f"the image does not CONTAIN {package['name']}")
        purls = [r["referenceLocator"] for r in package.get("externalRefs", [])
                 if r["referenceType"] == "purl"]
        if len(purls) != 1:
            fail(f"SPDX package {package['name']} has {len(purls)} purls")
        identity = purl_identity(purls[0])
        if identity[:2] != (package["name"], package.get("versionInfo")):
            fail(f"SPDX package {package['name']}: purl {purls[0]} names another package")
        spdx_packages.append(identity)
    if sorted(spdx_packages) != installed:
        fail("the SPDX packages are not the installed packages: " +
             str(sorted(set(spdx_packages) ^ set(installed))[:5]))

    # CycloneDX: the same packages, every dependency ref a component.
    refs = {c["bom-ref"] for c in cdx["components"]}
    cdx_packages = sorted(purl_identity(c["purl"]) for c in cdx["components"])
    if cdx_packages != installed:
        fail("the CycloneDX components are not the installed packages: " +
             str(sorted(set(cdx_packages) ^ set(installed))[:5]))
    for entry in cdx["dependencies"]:
        for ref in [entry["ref"]] + entry.get("dependsOn", []):
            if ref not in refs:
                fail(f"CycloneDX dependency names an unknown component: {ref}")
    if {e["ref"] for e in cdx["dependencies"]} != refs:
        fail("not every CycloneDX component has a dependency entry")

    # Both documents carry the same edges.
    name_of = {p["SPDXID"]: p["name"] for p in spdx["packages"]}
    spdx_edges = sorted((name_of[r["spdxElementId"]], name_of[r["relatedSpdxElement"]])
                        for r in spdx["relationships"] if r["relationshipType"] == "DEPENDS_ON")
    cdx_edges = sorted((purl_identity(e["ref"])[0], purl_identity(d)[0])
                       for e in cdx["dependencies"] for d in e["dependsOn"])
    if spdx_edges != cdx_edges:
        fail("the SPDX and CycloneDX dependency edges differ")
    print(json.dumps(spdx_edges))


main()
