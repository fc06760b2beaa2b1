// Where a build looks for key material: --keys-dir directories, then the cache, then (online)
// each key's official URL, downloaded through the fetcher.
#pragma once

#include "fetch/fetch.hpp"
#include "pipeline/build.hpp"
#include "verify/keyring.hpp"

namespace compose::pipeline {

// `system_keyrings`: also search /usr/share/keyrings after the --keys-dir directories (for
// Debian, whose archive keyring is installed on every Debian system).
verify::KeyLookup key_lookup(const BuildOptions& options, fetch::Fetcher& fetcher,
                             bool system_keyrings);

} // namespace compose::pipeline
