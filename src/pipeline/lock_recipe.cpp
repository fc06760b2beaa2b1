// Resolution into a lock; see lock_recipe.hpp.
#include "pipeline/lock_recipe.hpp"

#include <algorithm>

#include "pipeline/alpine_lock.hpp"
#include "pipeline/alpine_system.hpp"
#include "pipeline/debian_lock.hpp"
#include "pipeline/debian_plan.hpp"
#include "pipeline/debian_system.hpp"
#include "unpack/apk_install.hpp"

namespace compose::pipeline {

namespace {

lock::LockedRecipe locked_recipe(const recipe::Recipe& recipe)
{
  lock::LockedRecipe locked;
  locked.name = recipe.name;
  locked.file = recipe.file.filename().string();
  locked.digest = recipe.digest;
  for (const recipe::FileDigest& file : recipe.file_digests)
    locked.files.push_back({file.path, file.sha256});
  locked.distribution = recipe::distribution_name(recipe.distribution);
  locked.release = recipe.release;
  locked.architecture = recipe.architecture;
  return locked;
}

std::vector<lock::LockedFile> pinned_files(const recipe::Recipe& recipe)
{
  std::vector<lock::LockedFile> files;
  for (const recipe::FileSpec& file : recipe.overlays.files)
    if (file.kind == recipe::FileSpec::Kind::url)
      files.push_back({"/" + file.path, file.url, file.sha256});
  std::sort(files.begin(), files.end(),
            [](const lock::LockedFile& a, const lock::LockedFile& b) { return a.path < b.path; });
  return files;
}

} // namespace

lock::LockFile lock_recipe(const recipe::Recipe& recipe, const BuildOptions& options)
{
  Log& log = *options.log;
  fetch::Fetcher fetcher(options.fetch);
  lock::LockFile lock;
  lock.recipe = locked_recipe(recipe);
  lock.version = recipe.version;
  lock.point_release = recipe.point_release;
  lock.files = pinned_files(recipe);
  if (recipe.distribution == recipe::Distribution::alpine) {
    const AlpineSources sources = load_alpine_sources(recipe, options, fetcher);
    log.step("resolve " + std::to_string(recipe.packages.size()) + " requested packages");
    const resolve::apk::Plan plan = resolve::apk::solve(recipe.packages, sources.indexes);
    // The index pins only the control part (SHA-1); the lock pins each whole file.
    const std::vector<fetch::Fetched> files =
        fetch_alpine_packages(sources, plan, {}, false, fetcher, log);
    // A locked build requires each package's own signature: a package without a good one
    // is refused now, cached or not, rather than by every build of the lock.
    for (std::size_t i = 0; i < files.size(); ++i)
      unpack::apk::check_package_file(files[i].path, plan.packages[i], {&sources.keys, true});
    lock_alpine(sources, plan, files, lock);
    lock.epoch = options.epoch.value_or(alpine_default_epoch(plan));
  } else {
    const DebianSources sources = load_debian_sources(recipe, options, fetcher);
    log.step("resolve " + std::to_string(recipe.packages.size()) +
             " requested packages (base " + recipe.base + ")");
    const resolve::deb::Plan plan = resolve_debian(recipe, sources);
    lock_debian(sources, plan, options.trust_dir, lock);
    lock.epoch = options.epoch.value_or(debian_default_epoch(sources));
  }
  return lock;
}

} // namespace compose::pipeline
