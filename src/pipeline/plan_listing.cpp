// show-packages; see plan_listing.hpp.
#include "pipeline/plan_listing.hpp"

#include "pipeline/alpine_sources.hpp"
#include "pipeline/debian_plan.hpp"
#include "resolve/plan.hpp"
#include "util/error.hpp"

namespace compose::pipeline {

std::string plan_listing(const recipe::Recipe& recipe, const BuildOptions& options)
{
  fetch::Fetcher fetcher(options.fetch);
  if (recipe.distribution != recipe::Distribution::alpine) {
    const DebianSources sources = load_debian_sources(recipe, options, fetcher);
    const resolve::deb::Plan plan = resolve_debian(recipe, sources);
    std::string text;
    for (const repo::deb::Package* package : plan.packages)
      text += package->name + " " + package->version + " " +
              sources.indexes.at(package->index).description() + "\n";
    return text;
  }
  const AlpineSources sources = load_alpine_sources(recipe, options, fetcher);
  const resolve::apk::Plan plan = resolve::apk::solve(recipe.packages, sources.indexes);
  std::string text;
  for (const repo::apk::Package& package : plan.packages)
    text += package.name + " " + package.version + " " +
            sources.indexes.at(package.repository).repository.name + "\n";
  return text;
}

} // namespace compose::pipeline
