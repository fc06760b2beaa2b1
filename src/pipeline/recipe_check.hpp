// `compose check`: everything about a recipe that can be known without the network — the
// schema and fragments (load_recipe), that every key it trusts is in the trust configuration
// with a pin and of the right kind for the distribution, repository and file URLs, files the
// overlays read from the recipe directory, and that the overlays fit together (programs for
// supervisord, the init handing over to supervisord's configuration).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "recipe/recipe.hpp"
#include "verify/trust_config.hpp"

namespace compose::pipeline {

// Problems found, each "file:line:column: message"; empty when the recipe is fine.
std::vector<std::string> check_recipe(const recipe::Recipe& recipe,
                                      const verify::TrustConfig& trust);

} // namespace compose::pipeline
