// compose lock: the recipe resolved exactly as a build resolves it (same sources, same
// signature checks, same solver), recorded as a LockFile instead of being installed.
#pragma once

#include "lock/lock_file.hpp"
#include "pipeline/build.hpp"

namespace compose::pipeline {

// Fetches and verifies the keys and signed indexes and resolves the recipe; downloads no
// package. The epoch is options.epoch (SOURCE_DATE_EPOCH), else the rule a build uses
// (Alpine: the newest package build time; Debian/Ubuntu: the newest Release date).
// Throws Error as a build would.
lock::LockFile lock_recipe(const recipe::Recipe& recipe, const BuildOptions& options);

} // namespace compose::pipeline
