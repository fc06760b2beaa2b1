// Debian and Ubuntu builds to and from lock files; see debian_lock.hpp.
#include "pipeline/debian_lock.hpp"

#include <algorithm>

#include "pipeline/lock_check.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"
#include "verify/trust_config.hpp"

namespace compose::pipeline {

namespace {

std::vector<lock::LockedKey> locked_keys(const DebianSources& sources,
                                         const std::filesystem::path& trust_dir)
{
  const verify::TrustConfig trust = verify::load_trust_config(trust_dir);
  std::map<std::string, lock::LockedKey> keys;
  for (const auto& files : sources.key_files)
    for (const auto& [name, bytes] : files) {
      lock::LockedKey key{name, "openpgp", sha256_hex(bytes), {}};
      if (const verify::TrustedKey* trusted = trust.find(name))
        key.fingerprints = trusted->fingerprints;
      keys[name] = std::move(key);
    }
  std::vector<lock::LockedKey> sorted;
  for (auto& [name, key] : keys)
    sorted.push_back(std::move(key));
  return sorted;
}

std::string without_trailing_slash(std::string url)
{
  while (url.size() > 1 && url.back() == '/')
    url.pop_back();
  return url;
}

std::string file_name(const std::string& url) { return url.substr(url.rfind('/') + 1); }

} // namespace

std::string stanza_text(const repo::deb::Paragraph& paragraph)
{
  std::string text;
  for (const auto& [name, value] : paragraph.fields()) {
    std::size_t start = 0;
    std::size_t stop = value.find('\n');
    const std::string first = value.substr(0, stop);
    text += name + ":" + (first.empty() ? "" : " " + first) + "\n";
    while (stop != std::string::npos) {
      start = stop + 1;
      stop = value.find('\n', start);
      const std::string line = value.substr(start, stop == std::string::npos ? stop : stop - start);
      text += " " + (line.empty() ? std::string(".") : line) + "\n";
    }
  }
  return text;
}

void lock_debian(const DebianSources& sources, const resolve::deb::Plan& plan,
                 const std::filesystem::path& trust_dir, lock::LockFile& lock)
{
  lock.keys = locked_keys(sources, trust_dir);
  for (const AptIndex& index : sources.indexes) {
    lock::LockedRepository locked;
    locked.url = index.base_url;
    locked.suite = index.suite;
    locked.component = index.component;
    locked.priority = index.priority;
    locked.index = {index.release_url, index.release_sha256, 0};
    if (!index.signature_url.empty())
      locked.signature = {index.signature_url, index.signature_sha256, 0};
    locked.packages = {index.packages_url, index.packages_sha256, index.packages_size};
    locked.packages_path = index.packages_path;
    locked.signed_by = index.signed_by;
    locked.description = index.description();
    // The overrides its Release needed (they name the Release's URL).
    for (const std::string& override_used : sources.overrides)
      if (override_used.starts_with(index.release_url + ": "))
        locked.overrides.push_back(override_used);
    lock.repositories.push_back(std::move(locked));
  }
  lock.world = plan.world;
  for (std::size_t i = 0; i < plan.packages.size(); ++i) {
    const repo::deb::Package& package = *plan.packages[i];
    lock::LockedPackage locked;
    locked.name = package.name;
    locked.version = package.version;
    locked.architecture = package.architecture;
    locked.repository = package.index;
    locked.url = sources.indexes.at(package.index).base_url + "/" + package.filename;
    locked.path = package.filename;
    locked.size = package.size;
    locked.digests["sha256"] = package.sha256;
    locked.record = stanza_text(package.paragraph);
    locked.reason = i < plan.reasons.size() ? plan.reasons[i] : std::string();
    lock.packages.push_back(std::move(locked));
  }
}

LockedDebian debian_from_lock(const recipe::Recipe& recipe, const lock::LockFile& lock,
                              const BuildOptions& options, fetch::Fetcher& fetcher)
{
  LockedDebian locked;
  load_debian_keys(recipe, options, fetcher, locked.sources);
  check_locked_keys(locked_keys(locked.sources, options.trust_dir), lock);

  for (const recipe::RepositorySpec& spec : recipe.repositories) {
    const std::string base = without_trailing_slash(spec.url);
    for (const std::string& suite : spec.suites)
      for (const std::string& component : spec.components) {
        const std::size_t position = locked.sources.indexes.size();
        if (position >= lock.repositories.size())
          throw Error("the recipe has more repositories than the lock (" +
                          std::to_string(lock.repositories.size()) + ")",
                      spec.where.str(), "lock the recipe again with `compose lock`");
        const lock::LockedRepository& entry = lock.repositories[position];
        const std::string dists = base + "/dists/" + suite;
        AptIndex index;
        index.base_url = base;
        index.suite = suite;
        index.component = component;
        index.release_url = dists + "/" + file_name(entry.index.url);
        index.release_sha256 = entry.index.sha256;
        if (!entry.signature.url.empty()) {
          index.signature_url = dists + "/" + file_name(entry.signature.url);
          index.signature_sha256 = entry.signature.sha256;
        }
        index.signed_by = entry.signed_by;
        index.packages_url = dists + "/" + entry.packages_path;
        index.packages_sha256 = entry.packages.sha256;
        index.packages_path = entry.packages_path;
        index.packages_size = entry.packages.size;
        index.priority = spec.priority;
        // Accepted when the lock was made: a locked build reports (and warns about) it too.
        for (const std::string& override_used : entry.overrides) {
          const std::string note = override_used + ", recorded in the lock";
          std::vector<std::string>& overrides = locked.sources.overrides;
          if (std::find(overrides.begin(), overrides.end(), note) == overrides.end())
            overrides.push_back(note);
        }
        locked.sources.indexes.push_back(std::move(index));
      }
  }

  for (std::size_t i = 0; i < lock.packages.size(); ++i) {
    const lock::LockedPackage& entry = lock.packages[i];
    const std::string where = "lock: packages[" + std::to_string(i) + "] (" + entry.name + ")";
    std::vector<repo::deb::Package> parsed = repo::deb::parse_packages(entry.record, where);
    if (parsed.size() != 1)
      throw Error("the stanza holds " + std::to_string(parsed.size()) +
                      " packages, expected exactly one",
                  where);
    repo::deb::Package& package = parsed.front();
    const auto sha256 = entry.digests.find("sha256");
    if (package.name != entry.name || package.version != entry.version ||
        package.architecture != entry.architecture || package.size != entry.size ||
        package.filename != entry.path || sha256 == entry.digests.end() ||
        sha256->second != package.sha256)
      throw Error("the stanza says " + package.name + " " + package.version + " " +
                      package.architecture + " (" + package.filename + ", " +
                      std::to_string(package.size) + " bytes, sha256 " + package.sha256 +
                      "), which differs from the entry",
                  where, "the lock file was edited; write it again with `compose lock`");
    if (entry.repository >= locked.sources.indexes.size())
      throw Error("names repository " + std::to_string(entry.repository) + ", but the recipe has " +
                      std::to_string(locked.sources.indexes.size()),
                  where);
    package.index = entry.repository;
    locked.sources.indexes[entry.repository].packages.push_back(std::move(package));
  }
  // Every index is complete now: pointers into them stay valid.
  std::vector<std::size_t> next(locked.sources.indexes.size(), 0);
  for (const lock::LockedPackage& entry : lock.packages) {
    locked.plan.packages.push_back(
        &locked.sources.indexes[entry.repository].packages[next[entry.repository]++]);
    locked.plan.reasons.push_back(entry.reason);
  }
  locked.plan.world = lock.world;
  return locked;
}

} // namespace compose::pipeline
