// `compose build RECIPE` (also plain `compose RECIPE`, and `--locked`) and
// `compose show-packages RECIPE`.
#include <cstdio>

#include "cli/verbs.hpp"
#include "pipeline/build.hpp"
#include "pipeline/mirrors.hpp"
#include "pipeline/plan_listing.hpp"
#include "recipe/recipe.hpp"

namespace compose::cli {

Verbosity verbosity_of(const CommonOptions& options)
{
  if (options.quiet)
    return Verbosity::quiet;
  return options.verbose ? Verbosity::verbose : Verbosity::normal;
}

recipe::Recipe load_for_build(const CommonOptions& options, pipeline::BuildOptions& build)
{
  recipe::BuildInputs inputs;
  if (!options.release_version.empty())
    inputs.version = options.release_version;
  if (!options.point_release.empty())
    inputs.point_release = options.point_release;
  recipe::Recipe recipe = recipe::load_recipe(options.recipe, inputs);
  std::vector<std::pair<std::string, std::string>> mirrors;
  for (const std::string& mirror : options.mirrors)
    mirrors.push_back(pipeline::parse_mirror(mirror));
  build.fetch.mirrors = pipeline::apply_mirrors(recipe, mirrors);
  build.fetch.repositories = pipeline::repository_mirrors(recipe);
  return recipe;
}

int build_and_print(const recipe::Recipe& recipe, const pipeline::BuildOptions& build, Log& log)
{
  const pipeline::Artifacts artifacts = pipeline::build(recipe, build);
  for (const pipeline::OutputFile& output : artifacts.outputs)
    std::printf("%s\n", output.path.string().c_str());
  if (!artifacts.warnings.empty())
    log.step("done with " + std::to_string(artifacts.warnings.size()) +
             " warning(s); see the result.json");
  return 0;
}

int run_build(const CommonOptions& options, const std::string& out_dir)
{
  Log log(verbosity_of(options));
  // A locked build takes the release inputs and the epoch from the lock.
  const std::optional<LockedBuild> locked = read_lock_for_build(options);
  pipeline::BuildOptions build = build_options(options, log);
  const recipe::Recipe recipe = load_for_build(locked ? locked->options : options, build);
  build.out_dir = out_dir;
  if (locked)
    use_lock(*locked, build, log);
  return build_and_print(recipe, build, log);
}

int run_show_packages(const CommonOptions& options)
{
  Log log(verbosity_of(options));
  pipeline::BuildOptions build = build_options(options, log);
  const recipe::Recipe recipe = load_for_build(options, build);
  std::fputs(pipeline::plan_listing(recipe, build).c_str(), stdout);
  return 0;
}

} // namespace compose::cli
