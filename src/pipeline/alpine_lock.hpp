// Alpine and lock files: what a resolved Alpine build puts into a lock, and the sources and
// plan a locked build takes back out of it, without fetching or resolving any index.
#pragma once

#include "lock/lock_file.hpp"
#include "pipeline/alpine_sources.hpp"
#include "resolve/plan.hpp"

namespace compose::pipeline {

// Adds the keys, repositories (with their APKINDEX digests), world and planned packages
// (with their index records, and the SHA-256 of the fetched file: the index only gives a
// SHA-1 of the control part) to `lock`. `files` is in plan order.
void lock_alpine(const AlpineSources& sources, const resolve::apk::Plan& plan,
                 const std::vector<fetch::Fetched>& files, lock::LockFile& lock);

struct LockedAlpine {
  AlpineSources sources; // keys checked against the lock; indexes without packages
  resolve::apk::Plan plan;
  std::vector<std::string> sha256; // per package: the pinned whole-file digest, or ""
};

// The recipe's repositories (their current URLs, so --mirror still applies) with the locked
// index facts, and the locked packages parsed from their records. Throws Error when a key
// differs from the locked one, or a locked record does not parse or disagrees with its entry.
LockedAlpine alpine_from_lock(const recipe::Recipe& recipe, const lock::LockFile& lock,
                              const BuildOptions& options, fetch::Fetcher& fetcher);

} // namespace compose::pipeline
