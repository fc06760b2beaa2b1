// Debian/Ubuntu and lock files: what a resolved apt-style build puts into a lock, and the
// sources and plan a locked build takes back out of it, without fetching any Release or
// Packages index.
#pragma once

#include "lock/lock_file.hpp"
#include "pipeline/debian_sources.hpp"
#include "resolve/deb/solver.hpp"

namespace compose::pipeline {

// Adds the keys (file SHA-256 and pinned fingerprints), repositories (InRelease or Release
// and Release.gpg, and the Packages file, with their digests), world and planned packages
// (with their Packages stanzas) to `lock`.
void lock_debian(const DebianSources& sources, const resolve::deb::Plan& plan,
                 const std::filesystem::path& trust_dir, lock::LockFile& lock);

struct LockedDebian {
  DebianSources sources; // keys checked against the lock; each index holds its locked packages
  resolve::deb::Plan plan; // points into sources.indexes[*].packages
};

// The recipe's repositories (their current URLs, so --mirror still applies) with the locked
// index facts, and the locked packages parsed from their stanzas. Throws Error when a key
// differs from the locked one, or a stanza does not parse or disagrees with its entry.
LockedDebian debian_from_lock(const recipe::Recipe& recipe, const lock::LockFile& lock,
                              const BuildOptions& options, fetch::Fetcher& fetcher);

// A Packages stanza again from its parsed fields (continuation lines re-indented by one
// space, empty ones as " ."), ending in a newline.
std::string stanza_text(const repo::deb::Paragraph& paragraph);

} // namespace compose::pipeline
