// Alpine builds to and from lock files; see alpine_lock.hpp.
#include "pipeline/alpine_lock.hpp"

#include "pipeline/lock_check.hpp"
#include "pipeline/locked_records.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace compose::pipeline {

namespace {

std::vector<lock::LockedKey> locked_keys(const verify::Keyring& keys)
{
  std::vector<lock::LockedKey> locked;
  for (const std::string& name : keys.names())
    locked.push_back({name, "apk-rsa", keys.find(name)->sha256, {}});
  return locked;
}

// The APKINDEX each locked repository pins, by its digest: a cached copy, else the recipe's
// repository URL (through --mirror, or the bundle). Its signature is checked with the trusted
// keys before it enters the cache and again when it is read, and it must be signed by the
// key the lock names.
std::vector<repo::apk::Index> fetch_locked_indexes(
    const std::vector<repo::apk::Repository>& repositories, const lock::LockFile& lock,
    const verify::Keyring& keys, fetch::Fetcher& fetcher, Log& log)
{
  std::vector<fetch::Request> requests;
  for (std::size_t i = 0; i < repositories.size(); ++i) {
    const repo::apk::Repository& repository = repositories[i];
    fetch::Request request;
    request.urls = {repository.index_url()};
    request.sha256 = lock.repositories[i].index.sha256; // no cache key: never "the current" one
    request.display_name = repository.name + "/APKINDEX.tar.gz";
    request.validate = [&repository, &keys](const std::filesystem::path& file) {
      repo::apk::load_index(read_file(file), repository, keys, repository.index_url());
    };
    requests.push_back(std::move(request));
  }
  log.step("fetch " + std::to_string(requests.size()) + " locked signed index(es)");
  std::vector<fetch::Fetched> files;
  try {
    files = fetcher.fetch_all(requests);
  } catch (const Error& e) {
    throw Error("a signed index the lock pins is not available: " + e.message(), e.where(),
                e.hint().empty() ? "the mirror serves a newer index now: build from a cache or "
                                   "snapshot that kept the locked one (--cache-dir, --mirror "
                                   "FROM=TO), or lock the recipe again"
                                 : e.hint());
  }
  std::vector<repo::apk::Index> indexes;
  for (std::size_t i = 0; i < repositories.size(); ++i) {
    const std::string url = repositories[i].index_url();
    repo::apk::Index index =
        repo::apk::load_index(read_file(files[i].path), repositories[i], keys, url);
    if (index.repository.signed_by != lock.repositories[i].signed_by)
      throw Error("the locked index is signed by " + quote(index.repository.signed_by) +
                      ", the lock says " + quote(lock.repositories[i].signed_by),
                  url, "the lock file was edited; write it again with `compose lock`");
    for (repo::apk::Package& package : index.packages)
      package.repository = i;
    log.detail(url + ": the locked index (sha256 " + files[i].sha256 + "), signed by " +
               index.repository.signed_by);
    indexes.push_back(std::move(index));
  }
  return indexes;
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
  locked.sources.indexes =
      fetch_locked_indexes(repositories, lock, locked.sources.keys, fetcher, *options.log);

  // Every locked package must be a record of its signed index; the plan takes the signed
  // record, never the lock's copy of it.
  std::vector<SignedApkRecords> signed_records;
  for (std::size_t i = 0; i < locked.sources.indexes.size(); ++i)
    signed_records.emplace_back(locked.sources.indexes[i], repositories[i].index_url());
  locked.plan.world = lock.world;
  for (std::size_t i = 0; i < lock.packages.size(); ++i) {
    const lock::LockedPackage& entry = lock.packages[i];
    repo::apk::Package package;
    try {
      package = signed_records.at(entry.repository)
                    .find(entry, lock.repositories.at(entry.repository));
    } catch (Error& e) {
      e.at("lock: packages[" + std::to_string(i) + "] (" + entry.name + ")");
      throw;
    }
    package.repository = entry.repository;
    const auto sha256 = entry.digests.find("sha256");
    locked.sha256.push_back(sha256 == entry.digests.end() ? std::string() : sha256->second);
    locked.plan.packages.push_back(std::move(package));
    locked.plan.reasons.push_back(entry.reason);
  }
  return locked;
}

} // namespace compose::pipeline
