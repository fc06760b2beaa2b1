// Alpine and lock files: what a resolved Alpine build puts into a lock, and the sources and
// plan a locked build takes back out of it: the very signed indexes the lock pins, verified
// again, and the locked packages as those indexes sign them (nothing is resolved).
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
  AlpineSources sources; // keys checked against the lock; the locked, verified indexes
  resolve::apk::Plan plan;
  std::vector<std::string> sha256; // per package: the pinned whole-file digest, or ""
};

// The recipe's repositories (their current URLs, so --mirror still applies) with the signed
// indexes the lock pins (fetched by digest, signatures checked with the trusted keys), and the
// locked packages as those indexes sign them. Throws Error when a key differs from the locked
// one, a pinned index is not available or does not verify, or a locked entry is not a record
// of its signed index (see locked_records.hpp).
LockedAlpine alpine_from_lock(const recipe::Recipe& recipe, const lock::LockFile& lock,
                              const BuildOptions& options, fetch::Fetcher& fetcher);

} // namespace compose::pipeline
