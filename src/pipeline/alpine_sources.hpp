// The verified inputs of an Alpine build: the trusted keys the recipe names and every
// repository's APKINDEX, fetched and signature-checked, in recipe order.
#pragma once

#include <vector>

#include "fetch/fetch.hpp"
#include "pipeline/build.hpp"
#include "repo/apk/index.hpp"
#include "verify/keyring.hpp"

namespace compose::pipeline {

struct AlpineSources {
  verify::Keyring keys;
  std::vector<repo::apk::Index> indexes; // one per (mirror, branch, repo), recipe order
};

// The trusted keys the recipe's repositories name, each checked against its pin.
verify::Keyring load_alpine_keys(const recipe::Recipe& recipe, const BuildOptions& options,
                                 fetch::Fetcher& fetcher);

// One repository per (mirror, branch, repo) of the recipe, in recipe order.
std::vector<repo::apk::Repository> alpine_repositories(const recipe::Recipe& recipe);

// Throws Error naming the index URL (and the key) when a signature is missing, untrusted
// or bad, or when an index cannot be fetched.
AlpineSources load_alpine_sources(const recipe::Recipe& recipe, const BuildOptions& options,
                                  fetch::Fetcher& fetcher);

} // namespace compose::pipeline
