// `compose lock RECIPE` writes RECIPE's lock file; `compose build --locked` / `--lock FILE`
// reads one back for a build.
#include <cstdio>

#include "cli/verbs.hpp"
#include "lock/lock_file.hpp"
#include "pipeline/lock_recipe.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace compose::cli {

namespace {

fs::path lock_file_of(const CommonOptions& options)
{
  return options.lock_file.empty() ? lock::lock_path_for(options.recipe)
                                   : fs::path(options.lock_file);
}

} // namespace

int run_lock(const CommonOptions& options)
{
  Log log(verbosity_of(options));
  pipeline::BuildOptions build = build_options(options, log);
  const recipe::Recipe recipe = load_for_build(options, build);
  const lock::LockFile locked = pipeline::lock_recipe(recipe, build);
  const fs::path file = lock_file_of(options);
  log.step("write " + file.string());
  lock::write_lock(file, locked);
  log.step("locked " + recipe.name + ": " + std::to_string(locked.packages.size()) +
           " packages from " + std::to_string(locked.repositories.size()) +
           " repositories, epoch " + std::to_string(locked.epoch));
  std::printf("%s\n", file.string().c_str());
  return 0;
}

std::optional<LockedBuild> read_lock_for_build(const CommonOptions& options)
{
  if (!options.locked && options.lock_file.empty())
    return std::nullopt;
  LockedBuild locked;
  locked.file = lock_file_of(options);
  locked.lock = lock::read_lock(locked.file);
  locked.options = options;
  if (locked.options.release_version.empty())
    locked.options.release_version = locked.lock.version;
  if (locked.options.point_release.empty())
    locked.options.point_release = locked.lock.point_release;
  return locked;
}

void use_lock(const LockedBuild& locked, pipeline::BuildOptions& build, Log& log)
{
  if (build.epoch && *build.epoch != locked.lock.epoch)
    log.warning("SOURCE_DATE_EPOCH=" + std::to_string(*build.epoch) +
                " is ignored: a locked build uses the lock's epoch " +
                std::to_string(locked.lock.epoch));
  build.epoch = locked.lock.epoch;
  build.lock = &locked.lock;
  build.lock_where = locked.file.string();
  log.step("build from " + locked.file.string() + " (" +
           std::to_string(locked.lock.packages.size()) + " locked packages)");
}

} // namespace compose::cli
