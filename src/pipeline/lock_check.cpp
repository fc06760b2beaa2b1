// Recipe against lock; see lock_check.hpp.
#include "pipeline/lock_check.hpp"

#include <algorithm>
#include <map>

#include "repo/apk/dependency.hpp"
#include "repo/apk/index.hpp"
#include "repo/apk/version.hpp"
#include "repo/deb/packages_index.hpp"
#include "repo/deb/relation.hpp"
#include "util/error.hpp"

namespace compose::pipeline {

namespace {

std::string short_digest(const std::string& hex) { return hex.substr(0, 12); }

void compare_files(const recipe::Recipe& recipe, const lock::LockFile& lock,
                   std::vector<std::string>& problems)
{
  std::map<std::string, std::string> locked;
  for (const lock::RecipeFile& file : lock.recipe.files)
    locked[file.path] = file.sha256;
  std::size_t before = problems.size();
  for (const recipe::FileDigest& file : recipe.file_digests) {
    const auto found = locked.find(file.path);
    if (found == locked.end())
      problems.push_back(quote(file.path) + " is read by the recipe but not in the lock");
    else if (found->second != file.sha256)
      problems.push_back(quote(file.path) + " changed since locking (sha256 " +
                         short_digest(found->second) + "… in the lock, " +
                         short_digest(file.sha256) + "… now)");
    if (found != locked.end())
      locked.erase(found);
  }
  for (const auto& [path, digest] : locked)
    problems.push_back(quote(path) + " is in the lock but no longer read by the recipe");
  if (problems.size() == before && recipe.digest != lock.recipe.digest)
    problems.push_back("the recipe digest is " + recipe.digest + ", the lock's " +
                       lock.recipe.digest);
}

// The recipe's repositories as a build expands them, in the lock's terms.
std::vector<std::string> expected_repositories(const recipe::Recipe& recipe)
{
  std::vector<std::string> names;
  for (const recipe::RepositorySpec& spec : recipe.repositories) {
    if (recipe.distribution == recipe::Distribution::alpine) {
      for (const std::string& repo : spec.repos)
        names.push_back(spec.branch + "/" + repo + (spec.tag.empty() ? "" : " @" + spec.tag));
    } else {
      for (const std::string& suite : spec.suites)
        for (const std::string& component : spec.components)
          names.push_back(suite + "/" + component);
    }
  }
  return names;
}

std::string locked_repository_name(const lock::LockedRepository& repository)
{
  if (!repository.branch.empty())
    return repository.branch + "/" + repository.repo +
           (repository.tag.empty() ? "" : " @" + repository.tag);
  return repository.suite + "/" + repository.component;
}

void compare_repositories(const recipe::Recipe& recipe, const lock::LockFile& lock,
                          std::vector<std::string>& problems)
{
  const std::vector<std::string> expected = expected_repositories(recipe);
  std::vector<std::string> locked;
  for (const lock::LockedRepository& repository : lock.repositories)
    locked.push_back(locked_repository_name(repository));
  if (expected == locked)
    return;
  const auto join = [](const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names)
      text += (text.empty() ? "" : ", ") + name;
    return text.empty() ? std::string("none") : text;
  };
  problems.push_back("the repositories differ: the recipe has " + join(expected) +
                     "; the lock " + join(locked));
}

bool alpine_request_locked(const recipe::PackageSpec& request,
                           const std::vector<repo::apk::Package>& packages)
{
  const repo::apk::Dependency wanted =
      repo::apk::parse_dependency(request.name + request.constraint, request.where.str());
  if (wanted.conflict)
    return true; // "!name" only forbids
  for (const repo::apk::Package& package : packages) {
    if (package.name == wanted.name &&
        (wanted.op == repo::apk::Op::any ||
         (wanted.op == repo::apk::Op::checksum ? package.checksum == wanted.version
                                               : repo::apk::version_satisfies(
                                                     package.version, wanted.op, wanted.version))))
      return true;
    for (const repo::apk::Dependency& provided : package.provides)
      if (provided.name == wanted.name &&
          (wanted.op == repo::apk::Op::any ||
           (!provided.version.empty() && wanted.op != repo::apk::Op::checksum &&
            repo::apk::version_satisfies(provided.version, wanted.op, wanted.version))))
        return true;
  }
  return false;
}

// Debian requests name real packages (the solver refuses virtual ones), optionally with a
// version restriction written as apt-get takes it ("name=1.2-3", "name>=1.2").
bool debian_request_locked(const recipe::PackageSpec& request,
                           const std::vector<repo::deb::Package>& packages)
{
  std::string text = request.name;
  if (!request.constraint.empty()) {
    const std::string op =
        request.constraint.substr(0, request.constraint.find_first_not_of("<>=~"));
    text += " (" + op + " " + request.constraint.substr(op.size()) + ")";
  }
  const repo::deb::Relation wanted =
      repo::deb::parse_relations(text, repo::deb::RelationKind::depends, request.where.str())
          .front()
          .front();
  return std::any_of(packages.begin(), packages.end(), [&](const repo::deb::Package& package) {
    return package.name == wanted.name && repo::deb::version_satisfies(wanted, package.version);
  });
}

void compare_requests(const recipe::Recipe& recipe, const lock::LockFile& lock,
                      std::vector<std::string>& problems)
{
  std::vector<std::string> missing;
  if (recipe.distribution == recipe::Distribution::alpine) {
    std::vector<repo::apk::Package> packages;
    for (const lock::LockedPackage& entry : lock.packages)
      for (repo::apk::Package& package :
           repo::apk::parse_index_text(entry.record, "lock: " + entry.name, 0))
        packages.push_back(std::move(package));
    for (const recipe::PackageSpec& request : recipe.packages)
      if (!alpine_request_locked(request, packages))
        missing.push_back(quote(request.name + request.constraint));
  } else {
    std::vector<repo::deb::Package> packages;
    for (const lock::LockedPackage& entry : lock.packages)
      for (repo::deb::Package& package : repo::deb::parse_packages(entry.record, "lock: " + entry.name))
        packages.push_back(std::move(package));
    for (const recipe::PackageSpec& request : recipe.packages)
      if (!debian_request_locked(request, packages))
        missing.push_back(quote(request.name + request.constraint));
  }
  if (missing.empty())
    return;
  std::string list;
  for (const std::string& name : missing)
    list += (list.empty() ? "" : ", ") + name;
  problems.push_back("the recipe requests " + list + ", which no locked package " +
                     (missing.size() == 1 ? "satisfies" : "satisfy"));
}

void compare_pinned_files(const recipe::Recipe& recipe, const lock::LockFile& lock,
                          std::vector<std::string>& problems)
{
  std::map<std::string, const lock::LockedFile*> locked;
  for (const lock::LockedFile& file : lock.files)
    locked[file.url] = &file;
  for (const recipe::FileSpec& file : recipe.overlays.files) {
    if (file.kind != recipe::FileSpec::Kind::url)
      continue;
    const auto found = locked.find(file.url);
    if (found == locked.end())
      problems.push_back("the pinned file " + quote(file.url) + " is not in the lock");
    else if (found->second->sha256 != file.sha256)
      problems.push_back("the pinned file " + quote(file.url) + " has sha256 " +
                         short_digest(file.sha256) + "… in the recipe, " +
                         short_digest(found->second->sha256) + "… in the lock");
  }
}

} // namespace

void check_lock(const recipe::Recipe& recipe, const lock::LockFile& lock,
                const std::string& lock_where)
{
  std::vector<std::string> problems;
  const std::string distribution = recipe::distribution_name(recipe.distribution);
  if (distribution != lock.recipe.distribution || recipe.release != lock.recipe.release ||
      recipe.architecture != lock.recipe.architecture)
    problems.push_back("the recipe builds " + distribution + " " + recipe.release + " " +
                       recipe.architecture + ", the lock " + lock.recipe.distribution + " " +
                       lock.recipe.release + " " + lock.recipe.architecture);
  compare_files(recipe, lock, problems);
  compare_repositories(recipe, lock, problems);
  if (problems.empty() || distribution == lock.recipe.distribution)
    compare_requests(recipe, lock, problems);
  compare_pinned_files(recipe, lock, problems);
  if (problems.empty())
    return;
  std::string message = problems.size() == 1
                            ? "the recipe and its lock disagree: " + problems.front()
                            : "the recipe and its lock disagree (" +
                                  std::to_string(problems.size()) + " problems):";
  if (problems.size() > 1)
    for (const std::string& problem : problems)
      message += "\n    " + problem;
  throw Error(message, lock_where,
              "the recipe changed since it was locked: run `compose lock " +
                  recipe.file.string() + "` again (and review the differences)");
}

Error locked_fetch_error(const Error& error)
{
  const std::string& message = error.message();
  const bool fetch_failure = message.starts_with("cannot fetch") ||
                             message.find(" files failed:") != std::string::npos ||
                             message.find("not in the cache") != std::string::npos;
  if (!fetch_failure || !error.hint().empty())
    return error;
  return Error("a locked package or file is not available as locked: " + message, error.where(),
               "the mirror no longer serves it with the locked digest; build from a cache or "
               "mirror that kept it (--cache-dir, --mirror), or lock the recipe again");
}

void check_locked_keys(const std::vector<lock::LockedKey>& loaded, const lock::LockFile& lock)
{
  std::map<std::string, const lock::LockedKey*> locked;
  for (const lock::LockedKey& key : lock.keys)
    locked[key.name] = &key;
  std::vector<std::string> problems;
  for (const lock::LockedKey& key : loaded) {
    const auto found = locked.find(key.name);
    if (found == locked.end()) {
      problems.push_back("key " + quote(key.name) + " is trusted now but not in the lock");
      continue;
    }
    if (found->second->sha256 != key.sha256)
      problems.push_back("key " + quote(key.name) + " has sha256 " + short_digest(key.sha256) +
                         "…, the lock " + short_digest(found->second->sha256) + "…");
    else if (found->second->fingerprints != key.fingerprints)
      problems.push_back("key " + quote(key.name) + " is pinned to other fingerprints than in "
                                                    "the lock");
    locked.erase(found);
  }
  for (const auto& [name, key] : locked)
    problems.push_back("key " + quote(name) + " is in the lock but no longer trusted");
  if (problems.empty())
    return;
  std::string message = "the trusted keys differ from the lock:";
  for (const std::string& problem : problems)
    message += (problems.size() == 1 ? " " : "\n    ") + problem;
  throw Error(message, "", "check keys/*.toml and the key files, or lock the recipe again");
}

} // namespace compose::pipeline
