// Does a lock still describe a recipe? Checked before a locked build fetches anything, so a
// recipe edited after locking fails with what changed, not with a different image.
#pragma once

#include <string>
#include <vector>

#include "lock/lock_file.hpp"
#include "recipe/recipe.hpp"
#include "util/error.hpp"

namespace compose::pipeline {

// Collects every disagreement and throws one Error listing them ("the recipe and its lock
// disagree: …"), naming `lock_where`: the distribution, release or architecture; a recipe
// file or fragment changed, added or dropped since locking (digests compared file by file);
// the repositories (branch/repo, suite/component); a requested package no locked package
// satisfies (name or provide, version included); a pinned file's URL or SHA-256.
void check_lock(const recipe::Recipe& recipe, const lock::LockFile& lock,
                const std::string& lock_where);

// A download failure of a locked build, said as such: the lock pins exact files, so a mirror
// that dropped or changed one cannot serve it. Other errors come back unchanged.
Error locked_fetch_error(const Error& error);

// The keys a locked build loaded must be the locked ones: same names, same file SHA-256,
// same pinned fingerprints. Throws Error listing every difference.
void check_locked_keys(const std::vector<lock::LockedKey>& loaded, const lock::LockFile& lock);

} // namespace compose::pipeline
