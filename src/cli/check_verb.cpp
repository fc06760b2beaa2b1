// `compose check RECIPE…`: offline validation of each recipe; prints "ok NAME" or its
// problems, and exits 1 when any recipe has one.
#include <cstdio>

#include "cli/defaults.hpp"
#include "cli/verbs.hpp"
#include "pipeline/recipe_check.hpp"
#include "util/error.hpp"

namespace compose::cli {

int run_check(const std::vector<std::string>& recipes, const std::string& trust_dir)
{
  int failed = 0;
  for (const std::string& file : recipes) {
    std::vector<std::string> problems;
    std::string name = file;
    try {
      const recipe::Recipe recipe = recipe::load_recipe(file);
      name = recipe.name;
      CommonOptions options;
      options.recipe = file;
      options.trust_dir = trust_dir;
      problems = pipeline::check_recipe(recipe, verify::load_trust_config(find_trust_dir(options)));
    } catch (const Error& e) {
      problems.push_back(e.describe());
    }
    if (problems.empty()) {
      std::printf("ok %s\n", name.c_str());
      continue;
    }
    ++failed;
    for (const std::string& problem : problems)
      std::fprintf(stderr, "compose: error: %s: %s\n", file.c_str(), problem.c_str());
  }
  return failed == 0 ? 0 : 1;
}

} // namespace compose::cli
