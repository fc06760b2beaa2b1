// Debian/Ubuntu and lock files: what a resolved apt-style build puts into a lock, and the
// sources and plan a locked build takes back out of it: the very Releases and Packages
// indexes the lock pins, verified again, and the locked packages as those indexes sign them.
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
  DebianSources sources; // keys checked against the lock; the locked, verified indexes
  resolve::deb::Plan plan; // points into sources.indexes[*].packages
};

// The recipe's repositories (their current URLs, so --mirror still applies) with the signed
// Releases and Packages files the lock pins (fetched by digest, signatures checked with each
// repository's keys at their creation time, Valid-Until as in any build; a key expired since
// is a warning), and the locked packages as those indexes sign them. Throws Error when a key
// differs from the locked one, a pinned index is not available or does not verify, or a
// locked entry is not a record of its signed index (see locked_records.hpp).
LockedDebian debian_from_lock(const recipe::Recipe& recipe, const lock::LockFile& lock,
                              const BuildOptions& options, fetch::Fetcher& fetcher);

// A Packages stanza again from its parsed fields (continuation lines re-indented by one
// space, empty ones as " ."), ending in a newline.
std::string stanza_text(const repo::deb::Paragraph& paragraph);

} // namespace compose::pipeline
