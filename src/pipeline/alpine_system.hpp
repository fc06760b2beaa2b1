// An Alpine root filesystem from a resolved plan: fetch every package (each checked
// against its index record before it enters the cache), install them into a Tree, and
// describe what was installed for the report.
#pragma once

#include "fetch/fetch.hpp"
#include "pipeline/alpine_sources.hpp"
#include "pipeline/system.hpp"
#include "resolve/plan.hpp"

namespace compose::pipeline {

// Every planned package, in plan order, each checked against its index record and its own
// signature (required when `signed_packages`, see unpack::apk::SignaturePolicy) before it
// enters the cache; `sha256` (from a lock, one per package, "" for none) also pins the file.
std::vector<fetch::Fetched> fetch_alpine_packages(const AlpineSources& sources,
                                                  const resolve::apk::Plan& plan,
                                                  const std::vector<std::string>& sha256,
                                                  bool signed_packages, fetch::Fetcher& fetcher,
                                                  Log& log);

// Installs the fetched packages (`files`, in plan order) into a Tree, checking each again
// as it is read (signatures required when `signed_packages`).
StagedSystem stage_alpine_system(const recipe::Recipe& recipe, const AlpineSources& sources,
                                 const resolve::apk::Plan& plan,
                                 const std::vector<fetch::Fetched>& files, std::int64_t epoch,
                                 bool signed_packages, const std::filesystem::path& cache_dir,
                                 Log& log);

// Without SOURCE_DATE_EPOCH, the newest build time among the planned packages.
std::int64_t alpine_default_epoch(const resolve::apk::Plan& plan);

// The whole Alpine side of a build: sources and plan (resolved, or from options.lock), then
// the staged system.
StagedSystem build_alpine_system(const recipe::Recipe& recipe, const BuildOptions& options,
                                 fetch::Fetcher& fetcher);

} // namespace compose::pipeline
