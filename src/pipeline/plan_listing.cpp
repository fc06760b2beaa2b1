// show-packages; see plan_listing.hpp.
#include "pipeline/plan_listing.hpp"

#include "pipeline/alpine_sources.hpp"
#include "resolve/plan.hpp"
#include "util/error.hpp"

namespace compose::pipeline {

std::string plan_listing(const recipe::Recipe& recipe, const BuildOptions& options)
{
  if (recipe.distribution != recipe::Distribution::alpine)
    throw Error(std::string("show-packages does not support ") +
                    recipe::distribution_name(recipe.distribution) + " yet",
                recipe.where.str());
  fetch::Fetcher fetcher(options.fetch);
  const AlpineSources sources = load_alpine_sources(recipe, options, fetcher);
  const resolve::apk::Plan plan = resolve::apk::solve(recipe.packages, sources.indexes);
  std::string text;
  for (const repo::apk::Package& package : plan.packages)
    text += package.name + " " + package.version + " " +
            sources.indexes.at(package.repository).repository.name + "\n";
  return text;
}

} // namespace compose::pipeline
