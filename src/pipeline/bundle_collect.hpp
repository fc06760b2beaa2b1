// compose bundle: gathers what locked builds of one or more recipes need — their recipes,
// fragments and source files, locks, trust configuration, key files, and every download the
// locks name (signed indexes, signatures, Packages files, packages, pinned files), each
// fetched and checked against its lock — into one offline bundle (bundle/bundle_archive.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lock/lock_file.hpp"
#include "pipeline/build.hpp"
#include "recipe/recipe.hpp"

namespace compose::pipeline {

struct BundleInput {
  recipe::Recipe recipe;              // as loaded (host-apt resolved)
  lock::LockFile lock;                // its lock
  std::filesystem::path lock_file;    // where the lock is
  std::filesystem::path trust_dir;    // its keys/*.toml
};

// `compose bundle --sign KEY`: the producer's OpenPGP secret key (and its passphrase file).
struct BundleSigning {
  std::filesystem::path secret_key;      // empty: the bundle is not signed
  std::filesystem::path passphrase_file; // for a protected key
};

// Writes the bundle to `destination` atomically and returns its SHA-256. Recipe-side files
// keep their layout below "recipes/" (relative to the directory that holds them all). With a
// signing key, manifest.json is signed (manifest.json.asc) before anything is written.
// Throws Error when a download cannot be fetched as locked (naming it), a key cannot be
// found, two recipes bring different files for one member, or signing fails.
std::string write_bundle(const std::vector<BundleInput>& inputs, const BuildOptions& options,
                         const std::filesystem::path& destination,
                         const BundleSigning& signing = {});

} // namespace compose::pipeline
