// The SBOMs every build writes beside its image: <name>.spdx.json (SPDX 2.3) and
// <name>.cdx.json (CycloneDX 1.5), made from the verified package metadata.
#pragma once

#include <vector>

#include "emit/sbom/sbom_subject.hpp"
#include "pipeline/build.hpp"
#include "pipeline/output_staging.hpp"
#include "pipeline/system.hpp"
#include "recipe/recipe.hpp"

namespace compose::pipeline {

// What the SBOM writers describe: the recipe's image and the installed packages.
emit::sbom::Subject sbom_subject(const recipe::Recipe& recipe, const StagedSystem& system);

// Writes both documents into the staging directory; returns them as outputs ("spdx",
// "cyclonedx") with their digests. Throws Error.
std::vector<OutputFile> write_sboms(const recipe::Recipe& recipe, const StagedSystem& system,
                                    OutputStaging& staging, const BuildOptions& options);

} // namespace compose::pipeline
