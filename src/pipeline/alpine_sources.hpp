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

// Throws Error naming the index URL (and the key) when a signature is missing, untrusted
// or bad, or when an index cannot be fetched.
AlpineSources load_alpine_sources(const recipe::Recipe& recipe, const BuildOptions& options,
                                  fetch::Fetcher& fetcher);

} // namespace compose::pipeline
