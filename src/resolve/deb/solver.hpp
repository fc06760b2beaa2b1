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

// A reason names what chose the package: a request ("docker.io"), the base set
// ("base (required)"), or a dependency chain from one of them, linked by this separator.
inline constexpr const char* k_reason_link = " -> ";
// True when the package is in the plan only for another package's sake (apt would mark it
// automatically installed). Reasons come back from locks, so this reads the text.
inline bool chosen_as_dependency(const std::string& reason)
{
  return reason.find(k_reason_link) != std::string::npos;
}

// Candidates are chosen as apt does: per name the version with the highest pin priority,
// then the highest version. Depends and Pre-Depends must hold; alternatives are taken left
// to right unless one is already chosen; a virtual name is satisfied by its providers
// (versioned relations only by versioned Provides); Conflicts and Breaks rule candidates
// out; Recommends are followed when asked and dropped when they cannot be satisfied.
// Throws Error explaining the chain of an unsatisfiable request.
Plan solve(const std::vector<recipe::PackageSpec>& requests, const std::vector<Source>& sources,
           const Options& options);

} // namespace compose::resolve::deb
