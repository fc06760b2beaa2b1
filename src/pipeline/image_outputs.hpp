// The image outputs of a build (rootfs tarball, OCI archive, ext4 image), written at once:
// the tree's tar stream is generated once and feeds both the rootfs file and the OCI layer
// compressor (the layer is that tarball, byte for byte), while the ext4 image is written
// on its own thread from the same read-only tree. Bytes never depend on the threads.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pipeline/build.hpp"
#include "pipeline/output_staging.hpp"
#include "pipeline/system.hpp"
#include "recipe/recipe.hpp"

namespace compose::pipeline {

// Writes every format the recipe lists into `staging` and returns them in the recipe's
// order. An unknown format fails before anything is written. Throws Error.
std::vector<OutputFile> write_image_outputs(
    const recipe::Recipe& recipe, const StagedSystem& system,
    const std::map<std::string, std::string>& manifest_annotations, OutputStaging& staging,
    const BuildOptions& options);

} // namespace compose::pipeline
