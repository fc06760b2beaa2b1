// Plan: the exact packages to install, in install order (dependencies first).
#pragma once

#include <string>
#include <vector>

#include "repo/apk/index.hpp"
#include "recipe/recipe.hpp"

namespace compose::resolve::apk {

struct Plan {
  std::vector<repo::apk::Package> packages; // install order, deterministic
  std::vector<std::string> world;           // the recipe's requests as world tokens, sorted
  // Why each package is in the plan: "docker -> containerd -> so:libseccomp.so.2".
  std::vector<std::string> reasons;         // parallel to packages
};

// Resolves the recipe's requests against the indexes (in recipe repository order).
// Throws Error with the chain that explains an unsatisfiable request, e.g.
// "docker -> containerd -> so:libfoo.so.1: no provider in main, community".
Plan solve(const std::vector<recipe::PackageSpec>& requests,
           const std::vector<repo::apk::Index>& indexes);

} // namespace compose::resolve::apk
