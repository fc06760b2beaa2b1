// compose verify BUNDLE, and the check before every --from-bundle build: after the manifest
// digests (bundle::unpack_bundle), each bundled recipe must still be what its lock describes,
// the key files must match the trust configuration and the lock, every signed index must
// verify against those keys and be the one the lock pins, every locked package must be in
// its signed index and its file must match the index record, and every pinned file its pin.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "bundle/manifest.hpp"
#include "lock/lock_file.hpp"
#include "recipe/recipe.hpp"
#include "util/log.hpp"

namespace compose::pipeline {

struct BundleSummary {
  std::size_t recipes = 0, indexes = 0, packages = 0, files = 0, keys = 0;
  std::vector<std::string> warnings; // index keys that have expired since they signed
};

// `directory` holds the bundle unpacked and manifest-checked. `trust_dir`: the trust
// configuration to check keys against (empty: the bundle's own trust/). Throws Error naming
// the bundle member and the check that failed; reads only files inside `directory`.
BundleSummary verify_bundle(const std::filesystem::path& directory,
                            const bundle::Manifest& manifest,
                            const std::filesystem::path& trust_dir, Log& log);

// A bundled recipe loaded as its lock built it: the lock's release inputs unless `inputs`
// gives others, and url = "host-apt" replaced by the repository URL the lock recorded (not
// this machine's mirror, which another machine does not share).
recipe::Recipe load_bundled_recipe(const std::filesystem::path& recipe_file,
                                   const lock::LockFile& lock,
                                   const recipe::BuildInputs& inputs = {});

} // namespace compose::pipeline
