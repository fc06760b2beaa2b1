// Alpine builds to and from lock files; see alpine_lock.hpp.
#include "pipeline/alpine_lock.hpp"

#include "pipeline/lock_check.hpp"
#include "util/error.hpp"

namespace compose::pipeline {

namespace {

std::vector<lock::LockedKey> locked_keys(const verify::Keyring& keys)
{
  std::vector<lock::LockedKey> locked;
  for (const std::string& name : keys.names())
    locked.push_back({name, "apk-rsa", keys.find(name)->sha256, {}});
  return locked;
}

} // namespace

void lock_alpine(const AlpineSources& sources, const resolve::apk::Plan& plan,
                 const std::vector<fetch::Fetched>& files, lock::LockFile& lock)
{
  lock.keys = locked_keys(sources.keys);
  for (const repo::apk::Index& index : sources.indexes) {
    const repo::apk::Repository& repository = index.repository;
    lock::LockedRepository locked;
    locked.url = repository.base_url;
    locked.repo = repository.name;
    // base_url is <mirror>/<branch>/<repo>: the branch is the second-to-last part.
    const std::string parent = repository.base_url.substr(0, repository.base_url.rfind('/'));
    locked.branch = parent.substr(parent.rfind('/') + 1);
    locked.tag = repository.tag;
    locked.index = {repository.index_url(), repository.index_sha256, 0};
    locked.signed_by = repository.signed_by;
    locked.description = repository.description;
    lock.repositories.push_back(std::move(locked));
  }
  lock.world = plan.world;
  for (std::size_t i = 0; i < plan.packages.size(); ++i) {
    const repo::apk::Package& package = plan.packages[i];
    const repo::apk::Repository& origin = sources.indexes.at(package.repository).repository;
    lock::LockedPackage locked;
    locked.name = package.name;
    locked.version = package.version;
    locked.architecture = package.arch;
    locked.repository = package.repository;
    locked.url = origin.package_url(package);
    locked.path = locked.url.substr(origin.base_url.size() + 1);
    locked.size = package.size;
    locked.digests["apk-identity"] = package.checksum;
    locked.digests["sha256"] = files.at(i).sha256;
    locked.record = package.record;
    locked.reason = i < plan.reasons.size() ? plan.reasons[i] : std::string();
    lock.packages.push_back(std::move(locked));
  }
}

LockedAlpine alpine_from_lock(const recipe::Recipe& recipe, const lock::LockFile& lock,
                              const BuildOptions& options, fetch::Fetcher& fetcher)
{
  LockedAlpine locked;
  locked.sources.keys = load_alpine_keys(recipe, options, fetcher);
  check_locked_keys(locked_keys(locked.sources.keys), lock);

  const std::vector<repo::apk::Repository> repositories = alpine_repositories(recipe);
  if (repositories.size() != lock.repositories.size())
    throw Error("the recipe has " + std::to_string(repositories.size()) +
                    " repositories, the lock " + std::to_string(lock.repositories.size()),
                recipe.where.str(), "lock the recipe again with `compose lock`");
  for (std::size_t i = 0; i < repositories.size(); ++i) {
    repo::apk::Index index;
    index.repository = repositories[i];
    index.repository.description = lock.repositories[i].description;
    index.repository.signed_by = lock.repositories[i].signed_by;
    index.repository.index_sha256 = lock.repositories[i].index.sha256;
    locked.sources.indexes.push_back(std::move(index));
  }

  locked.plan.world = lock.world;
  for (std::size_t i = 0; i < lock.packages.size(); ++i) {
    const lock::LockedPackage& entry = lock.packages[i];
    const std::string where = "lock: packages[" + std::to_string(i) + "] (" + entry.name + ")";
    std::vector<repo::apk::Package> parsed =
        repo::apk::parse_index_text(entry.record, where, entry.repository);
    if (parsed.size() != 1)
      throw Error("the record holds " + std::to_string(parsed.size()) +
                      " packages, expected exactly one",
                  where);
    repo::apk::Package& package = parsed.front();
    const auto identity = entry.digests.find("apk-identity");
    if (package.name != entry.name || package.version != entry.version ||
        package.arch != entry.architecture || package.size != entry.size ||
        identity == entry.digests.end() || identity->second != package.checksum)
      throw Error("the record says " + package.name + " " + package.version + " " + package.arch +
                      " (" + std::to_string(package.size) + " bytes, " + package.checksum +
                      "), which differs from the entry's name, version, architecture, size or "
                      "apk-identity",
                  where, "the lock file was edited; write it again with `compose lock`");
    const auto sha256 = entry.digests.find("sha256");
    locked.sha256.push_back(sha256 == entry.digests.end() ? std::string() : sha256->second);
    locked.plan.packages.push_back(std::move(package));
    locked.plan.reasons.push_back(entry.reason);
  }
  return locked;
}

} // namespace compose::pipeline
