// The build report, out/<name>.result.json: what went in (recipe digest, repositories,
// keys, packages with versions and checksums), what came out (outputs with digests) and
// every warning, including package scripts whose effects were not reproduced.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/build.hpp"
#include "pipeline/system.hpp"
#include "recipe/recipe.hpp"

namespace compose::pipeline {

// JSON text with sorted keys and a final newline; no host names, paths of the build
// machine or wall-clock times, so two builds of one input give the same bytes.
// A locked build names its lock (file name, SHA-256 of its canonical text).
std::string result_json(const recipe::Recipe& recipe, const StagedSystem& system,
                        const std::vector<OutputFile>& outputs, const BuildOptions& options);

} // namespace compose::pipeline
