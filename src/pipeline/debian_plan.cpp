// Resolution for Debian/Ubuntu builds; see debian_plan.hpp.
#include "pipeline/debian_plan.hpp"

namespace compose::pipeline {

resolve::deb::Plan resolve_debian(const recipe::Recipe& recipe, const DebianSources& sources)
{
  std::vector<resolve::deb::Source> views;
  for (const AptIndex& index : sources.indexes)
    views.push_back({&index.packages, index.priority, index.description()});
  resolve::deb::Options options;
  options.architecture = recipe.architecture;
  options.base = recipe.base;
  options.recommends = recipe.recommends;
  return resolve::deb::solve(recipe.packages, views, options);
}

} // namespace compose::pipeline
