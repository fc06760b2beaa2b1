// The apt-style solver for Debian and Ubuntu: requests (plus the recipe's base set) -> the
// exact package set a fresh `apt-get install` would choose -> an install order with
// dependencies first.
#pragma once

#include <string>
#include <vector>

#include "recipe/recipe.hpp"
#include "repo/deb/packages_index.hpp"

namespace compose::resolve::deb {

// One loaded index, as the solver sees it.
struct Source {
  const std::vector<repo::deb::Package>* packages;
  int priority = 500;      // apt pin priority of everything in it (< 0: never install)
  std::string description; // "URL suite/component", for messages
};

struct Options {
  std::string architecture; // native; "all" packages count as native
  std::string base = "none"; // "none", "essential", "required", "important", "standard"
  bool recommends = false;
};

struct Plan {
  std::vector<const repo::deb::Package*> packages; // install order, dependencies first
  std::vector<std::string> reasons;                // parallel: "docker.io -> containerd"
  std::vector<std::string> world;                  // the requests as written, sorted
};

// Candidates are chosen as apt does: per name the version with the highest pin priority,
// then the highest version. Depends and Pre-Depends must hold; alternatives are taken left
// to right unless one is already chosen; a virtual name is satisfied by its providers
// (versioned relations only by versioned Provides); Conflicts and Breaks rule candidates
// out; Recommends are followed when asked and dropped when they cannot be satisfied.
// Throws Error explaining the chain of an unsatisfiable request.
Plan solve(const std::vector<recipe::PackageSpec>& requests, const std::vector<Source>& sources,
           const Options& options);

} // namespace compose::resolve::deb
