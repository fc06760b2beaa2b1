// `compose show-config RECIPE`: the recipe after includes and substitutions, as JSON, with
// the file:line:column each repository and package came from. --release/--point-release
// substitute ${version}/${point_release} as a build does, so a release's tags can be seen
// before building it.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli/verbs.hpp"
#include "recipe/recipe.hpp"
#include "util/json_output.hpp"

namespace compose::cli {

int run_show_config(const std::string& recipe_file, const std::string& version,
                    const std::string& point_release)
{
  recipe::BuildInputs inputs;
  if (!version.empty())
    inputs.version = version;
  if (!point_release.empty())
    inputs.point_release = point_release;
  const recipe::Recipe recipe = recipe::load_recipe(recipe_file, inputs);
  using nlohmann::json;
  json out;
  out["name"] = recipe.name;
  out["distribution"] = recipe::distribution_name(recipe.distribution);
  out["release"] = recipe.release;
  out["version"] = recipe.version;
  out["point_release"] = recipe.point_release;
  out["architecture"] = recipe.architecture;
  out["digest"] = "sha256:" + recipe.digest;
  json fragments = json::array();
  for (const auto& fragment : recipe.fragments)
    fragments.push_back(fragment.string());
  out["fragments"] = fragments;
  json repositories = json::array();
  for (const recipe::RepositorySpec& repository : recipe.repositories) {
    repositories.push_back({{"url", repository.url},
                            {"branch", repository.branch},
                            {"repos", repository.repos},
                            {"suites", repository.suites},
                            {"components", repository.components},
                            {"keys", repository.keys},
                            {"tag", repository.tag},
                            {"priority", repository.priority},
                            {"from", repository.where.str()}});
    if (!repository.mirrors.empty())
      repositories.back()["mirrors"] = repository.mirrors;
    if (repository.max_index_size)
      repositories.back()["max_index_size"] = *repository.max_index_size;
  }
  out["repositories"] = repositories;
  json packages = json::array();
  for (const recipe::PackageSpec& package : recipe.packages)
    packages.push_back({{"name", package.name},
                        {"constraint", package.constraint},
                        {"from", package.where.str()}});
  out["packages"] = packages;
  const recipe::ImageConfig& image = recipe.image;
  out["image"] = {{"entrypoint", image.entrypoint}, {"cmd", image.cmd},
                  {"env", image.env},               {"working_dir", image.working_dir},
                  {"user", image.user},             {"stop_signal", image.stop_signal},
                  {"exposed_ports", image.exposed_ports}, {"labels", image.labels},
                  {"annotations", image.annotations},     {"tags", image.tags}};
  out["outputs"] = {{"formats", recipe.outputs.formats},
                    {"layer_compression", recipe.outputs.layer_compression}};
  std::printf("%s\n", exact_json_text(out, 2, "show-config").c_str());
  return 0;
}

} // namespace compose::cli
