// The SBOMs every build writes beside its image: <name>.spdx.json (SPDX 2.3) and
// <name>.cdx.json (CycloneDX 1.5), made from the verified package metadata.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "emit/sbom/sbom_subject.hpp"
#include "pipeline/build.hpp"
#include "pipeline/output_staging.hpp"
#include "pipeline/system.hpp"
#include "recipe/recipe.hpp"

namespace compose::pipeline {

struct SbomDocument {
  std::string kind;      // "spdx", "cyclonedx"
  std::string file_name; // "<name>.spdx.json", "<name>.cdx.json"
  std::string text;
  std::string sha256;
};

// What the SBOM writers describe: the recipe's image and the installed packages.
emit::sbom::Subject sbom_subject(const recipe::Recipe& recipe, const StagedSystem& system);

// Both documents, in memory: they exist before the image so the image can name them.
// Throws Error.
std::vector<SbomDocument> make_sboms(const recipe::Recipe& recipe, const StagedSystem& system);

// OCI manifest annotations naming each document by digest:
// "compose.sbom.spdx" -> "sha256:…", "compose.sbom.cyclonedx" -> "sha256:…".
std::map<std::string, std::string> sbom_annotations(const std::vector<SbomDocument>& documents);

// Writes the documents into the staging directory; returns them as outputs with their
// digests. Throws Error.
std::vector<OutputFile> write_sboms(const std::vector<SbomDocument>& documents,
                                    OutputStaging& staging, const BuildOptions& options);

} // namespace compose::pipeline
