// An Alpine root filesystem from a resolved plan: fetch every package (each checked
// against its index record before it enters the cache), install them into a Tree, and
// describe what was installed for the report.
#pragma once

#include "fetch/fetch.hpp"
#include "pipeline/alpine_sources.hpp"
#include "pipeline/system.hpp"
#include "resolve/plan.hpp"

namespace compose::pipeline {

StagedSystem stage_alpine_system(const recipe::Recipe& recipe, const AlpineSources& sources,
                                 const resolve::apk::Plan& plan, std::int64_t epoch,
                                 fetch::Fetcher& fetcher, Log& log);

// Without SOURCE_DATE_EPOCH, the newest build time among the planned packages.
std::int64_t alpine_default_epoch(const resolve::apk::Plan& plan);

// The whole Alpine side of a build: sources and plan (resolved, or from options.lock), then
// the staged system.
StagedSystem build_alpine_system(const recipe::Recipe& recipe, const BuildOptions& options,
                                 fetch::Fetcher& fetcher);

} // namespace compose::pipeline
