// A Debian or Ubuntu root filesystem: verified sources -> apt-style plan -> every .deb
// fetched and checked against its Packages record (size and SHA-256) -> installed into a
// Tree with the dpkg database and reproduced maintainer-script effects -> a description of
// what was installed for the report.
#pragma once

#include "fetch/fetch.hpp"
#include "pipeline/build.hpp"
#include "pipeline/debian_sources.hpp"
#include "resolve/deb/solver.hpp"
#include "pipeline/system.hpp"

namespace compose::pipeline {

// Without SOURCE_DATE_EPOCH, the newest signed Release date: the same indexes give the same
// timestamps.
std::int64_t debian_default_epoch(const DebianSources& sources);

// Fetches, checks and installs the planned packages.
StagedSystem stage_debian_system(const recipe::Recipe& recipe, const DebianSources& sources,
                                 const resolve::deb::Plan& plan, std::int64_t epoch,
                                 fetch::Fetcher& fetcher, Log& log);

// The whole Debian side of a build: sources and plan (resolved, or from options.lock), then
// the staged system.
StagedSystem build_debian_system(const recipe::Recipe& recipe, const BuildOptions& options,
                                 fetch::Fetcher& fetcher);

} // namespace compose::pipeline
