// Offline recipe checks; see recipe_check.hpp.
#include "pipeline/recipe_check.hpp"

#include <algorithm>
#include <set>

#include "util/error.hpp"

namespace compose::pipeline {

std::vector<std::string> check_recipe(const recipe::Recipe& recipe,
                                      const verify::TrustConfig& trust)
{
  std::vector<std::string> problems;
  const auto problem = [&](const recipe::SourceLocation& where, const std::string& message) {
    problems.push_back(where.str() + ": " + message);
  };
  const bool apt = recipe.distribution != recipe::Distribution::alpine;

  for (const recipe::RepositorySpec& repository : recipe.repositories) {
    for (const std::string& name : repository.keys) {
      const verify::TrustedKey* key = trust.find(name);
      if (!key) {
        problem(repository.where, "key " + quote(name) + " is not in the trust configuration");
        continue;
      }
      const std::string wanted = apt ? "openpgp" : "apk-rsa";
      if (key->kind != wanted)
        problem(repository.where, "key " + quote(name) + " is of kind " + quote(key->kind) +
                                      "; " + recipe::distribution_name(recipe.distribution) +
                                      " repositories need " + quote(wanted) + " keys");
      if (key->sha256.empty() && key->fingerprints.empty())
        problem(repository.where, "key " + quote(name) + " has no pin");
      // A key fetched over plain HTTP is only as good as a pin on its exact bytes.
      if (!key->url.starts_with("https://") && key->sha256.empty())
        problem(repository.where, "key " + quote(name) + " comes over plain HTTP without a "
                                      "sha256 pin (" + key->where + ")");
    }
  }

  const recipe::Overlays& overlays = recipe.overlays;
  std::set<std::string> paths;
  for (const recipe::FileSpec& file : overlays.files) {
    if (!paths.insert(file.path).second)
      problem(file.where, "/" + file.path + " is written by two [[files]] entries");
    if (file.kind == recipe::FileSpec::Kind::source) {
      std::error_code error;
      if (!std::filesystem::is_regular_file(file.source, error))
        problem(file.where, "source file " + quote(file.source.string()) + " does not exist");
    }
    if (file.kind == recipe::FileSpec::Kind::url && !file.url.starts_with("https://") &&
        !file.url.starts_with("file:"))
      problem(file.where, "pinned download " + quote(file.url) + " should use https");
  }
  std::set<std::string> users;
  for (const recipe::UserSpec& user : overlays.users)
    users.insert(user.name);
  for (const recipe::GroupSpec& group : overlays.groups)
    for (const std::string& member : group.members)
      if (!users.contains(member))
        problem(group.where, "member " + quote(member) + " of group " + quote(group.name) +
                                 " is not declared in [[users]]");
  if (overlays.supervisor.enabled && overlays.supervisor.programs.empty())
    problem(overlays.supervisor.where, "[supervisor] has no [[supervisor.programs]]");
  if (!overlays.supervisor.enabled && !overlays.supervisor.programs.empty())
    problem(overlays.supervisor.programs.front().where,
            "[[supervisor.programs]] without [supervisor] (which says where the configuration goes)");
  if (overlays.init.enabled && overlays.supervisor.enabled &&
      std::none_of(overlays.init.exec.begin(), overlays.init.exec.end(),
                   [&](const std::string& word) { return word == overlays.supervisor.config; }))
    problem(overlays.init.where, "[init] exec does not name supervisord's configuration " +
                                     quote(overlays.supervisor.config));
  if (overlays.init.enabled && !recipe.image.entrypoint.empty() &&
      recipe.image.entrypoint.front() != overlays.init.path)
    problem(recipe.image.where, "the image entrypoint is not the init " + quote(overlays.init.path));
  if (recipe.image.tags.empty())
    problem(recipe.image.where, "the image has no tags");
  return problems;
}

} // namespace compose::pipeline
