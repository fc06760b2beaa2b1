// Debian and Ubuntu builds to and from lock files; see debian_lock.hpp.
#include "pipeline/debian_lock.hpp"

#include <algorithm>
#include <future>

#include "pipeline/debian_index_fetch.hpp"
#include "pipeline/debian_release.hpp"
#include "pipeline/lock_check.hpp"
#include "pipeline/locked_records.hpp"
#include "pipeline/parsed_index_cache.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
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

Error unavailable(const Error& e, const std::string& what)
{
  return Error(what + " the lock pins is not available: " + e.message(), e.where(),
               e.hint().empty() ? "the mirror serves a newer index now: build from a cache or "
                                  "snapshot that kept the locked one (--cache-dir, --mirror "
                                  "FROM=TO), or lock the recipe again"
                                : e.hint());
}

// The Release (InRelease, or Release + Release.gpg) the lock pins, by digest: a cached copy,
// else the recipe's URL (through --mirror, or the bundle). Verified again with the
// repository's keys (at its signature's time) before it enters the cache, and checked as any
// Release (suite, Valid-Until, architecture); it must be signed by the key the lock names.
SignedRelease fetch_locked_release(const std::string& dists, const lock::LockedRepository& entry,
                                   const ReleaseRules& rules, fetch::Fetcher& fetcher)
{
  const auto pinned = [](const std::string& url, const lock::IndexFile& file) {
    fetch::Request request;
    request.urls = {url};
    request.sha256 = file.sha256; // no cache key: never "the current" Release of the URL
    request.display_name = file_name(url);
    return request;
  };
  const std::string url = dists + "/" + file_name(entry.index.url);
  SignedRelease release;
  try {
    if (entry.signature.url.empty()) {
      fetch::Request request = pinned(url, entry.index);
      request.validate = [&](const std::filesystem::path& file) {
        accept_inrelease(read_file(file), url, rules);
      };
      release = accept_inrelease(read_file(fetcher.fetch(request).path), url, rules);
    } else {
      const std::string signature_url = dists + "/" + file_name(entry.signature.url);
      const auto accept = [&](const std::filesystem::path& text, const std::filesystem::path& sig) {
        return accept_detached(read_file(text), read_file(sig), url, rules);
      };
      const std::vector<fetch::Fetched> files = fetcher.fetch_together(
          {pinned(url, entry.index), pinned(signature_url, entry.signature)},
          [&](const std::vector<std::filesystem::path>& pair) { accept(pair[0], pair[1]); });
      release = accept(files[0].path, files[1].path);
    }
  } catch (const Error& e) {
    const bool missing = e.message().starts_with("cannot fetch") ||
                         e.message().starts_with("not in the cache") ||
                         e.message().find(" files failed:") != std::string::npos;
    if (missing)
      throw unavailable(e, "the signed Release " + url);
    throw;
  }
  if (release.signed_by != entry.signed_by)
    throw Error("the locked Release is signed by " + release.signed_by + ", the lock says " +
                    entry.signed_by,
                url, "the lock file was edited; write it again with `compose lock`");
  return release;
}

// The Packages file a locked repository names, as its signed Release lists it; the lock's
// digest must be the signed one.
IndexCandidate locked_packages_file(const SignedRelease& release,
                                    const lock::LockedRepository& entry, const std::string& dists)
{
  const auto listed = std::find_if(
      release.release.files.begin(), release.release.files.end(),
      [&](const repo::deb::ReleaseEntry& file) { return file.path == entry.packages_path; });
  if (listed == release.release.files.end())
    throw Error("the signed Release does not list " + quote(entry.packages_path) +
                    ", which the lock names",
                release.url, "the lock file was edited; write it again with `compose lock`");
  if (listed->sha256 != entry.packages.sha256 ||
      (entry.packages.size != 0 && listed->size != entry.packages.size))
    throw Error("the signed Release lists " + entry.packages_path + " as sha256 " +
                    listed->sha256 + " (" + std::to_string(listed->size) +
                    " bytes); the lock pins sha256 " + entry.packages.sha256,
                release.url, "the lock file was edited; write it again with `compose lock`");
  IndexCandidate candidate{listed->path, listed->sha256, listed->size, {}};
  // By hash first when the archive offers it: a mirror that moved on still serves it there.
  if (release.release.acquire_by_hash)
    candidate.urls.push_back(dists + "/" + repo::deb::by_hash_path(*listed));
  candidate.urls.push_back(dists + "/" + listed->path);
  return candidate;
}

// Fetches the locked Packages files (pinned by the signed Release) and reads them into
// `sources.indexes`, one task per index.
void read_locked_packages(const std::vector<IndexCandidate>& files, fetch::Fetcher& fetcher,
                          Log& log, DebianSources& sources)
{
  std::vector<fetch::Request> requests;
  for (const IndexCandidate& file : files) {
    fetch::Request request;
    request.urls = file.urls;
    request.sha256 = file.sha256;
    request.size = file.size;
    request.display_name = file.path;
    requests.push_back(std::move(request));
  }
  log.step("fetch " + std::to_string(requests.size()) + " locked Packages index(es)");
  std::vector<fetch::Fetched> fetched;
  try {
    fetched = fetcher.fetch_all(requests);
  } catch (const Error& e) {
    throw unavailable(e, "a Packages index");
  }
  std::vector<std::future<repo::deb::PackagesIndex>> parsed;
  for (std::size_t i = 0; i < fetched.size(); ++i)
    // The parsed form an unlocked build of the same index kept serves here too.
    parsed.push_back(std::async(std::launch::async, [&, i] {
      return read_packages_index_cached(fetcher.options().cache_dir, fetched[i].path,
                                        fetched[i].sha256, sources.indexes[i].packages_url, log);
    }));
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    sources.indexes[i].packages = parsed[i].get().packages;
    for (repo::deb::Package& package : sources.indexes[i].packages)
      package.index = i;
  }
}

} // namespace

std::string stanza_text(const repo::deb::Paragraph& paragraph)
{
  std::string text;
  for (const auto& [name, value] : paragraph.fields()) {
    std::size_t stop = value.find('\n');
    const std::string_view first = value.substr(0, stop);
    text.append(name).append(":");
    if (!first.empty())
      text.append(" ").append(first);
    text += "\n";
    while (stop != std::string_view::npos) {
      const std::size_t start = stop + 1;
      stop = value.find('\n', start);
      const std::string_view line =
          value.substr(start, stop == std::string_view::npos ? stop : stop - start);
      text.append(" ").append(line.empty() ? std::string_view(".") : line).append("\n");
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
  const std::vector<verify::OpenPgpTrust> trusts =
      load_debian_keys(recipe, options, fetcher, locked.sources);
  check_locked_keys(locked_keys(locked.sources, options.trust_dir), lock);

  // Each suite's locked Release once, verified again; then its components' Packages files.
  std::vector<IndexCandidate> packages_files;
  for (std::size_t r = 0; r < recipe.repositories.size(); ++r) {
    const recipe::RepositorySpec& spec = recipe.repositories[r];
    const std::string base = without_trailing_slash(spec.url);
    for (const std::string& suite : spec.suites) {
      const std::size_t first = locked.sources.indexes.size();
      if (first + spec.components.size() > lock.repositories.size())
        throw Error("the recipe has more repositories than the lock (" +
                        std::to_string(lock.repositories.size()) + ")",
                    spec.where.str(), "lock the recipe again with `compose lock`");
      const std::string dists = base + "/dists/" + suite;
      const SignedRelease release = fetch_locked_release(
          dists, lock.repositories[first], {trusts[r], suite, recipe, options, true}, fetcher);
      for (const std::string& warning : release.warnings) {
        options.log->warning(warning);
        locked.sources.warnings.push_back(warning);
      }
      for (const std::string& note : release.overrides)
        if (std::find(locked.sources.overrides.begin(), locked.sources.overrides.end(), note) ==
            locked.sources.overrides.end())
          locked.sources.overrides.push_back(note);
      for (std::size_t c = 0; c < spec.components.size(); ++c) {
        const lock::LockedRepository& entry = lock.repositories[first + c];
        AptIndex index = apt_index_of(release, base, suite, spec.components[c], spec.priority);
        packages_files.push_back(locked_packages_file(release, entry, dists));
        index.packages_url = dists + "/" + entry.packages_path;
        index.packages_sha256 = packages_files.back().sha256;
        index.packages_path = entry.packages_path;
        index.packages_size = packages_files.back().size;
        // Accepted when the lock was made: a locked build reports it too.
        for (const std::string& override_used : entry.overrides) {
          const std::string note = override_used + ", recorded in the lock";
          std::vector<std::string>& overrides = locked.sources.overrides;
          if (std::find(overrides.begin(), overrides.end(), note) == overrides.end())
            overrides.push_back(note);
        }
        locked.sources.indexes.push_back(std::move(index));
      }
    }
  }
  if (locked.sources.indexes.size() != lock.repositories.size())
    throw Error("the recipe has " + std::to_string(locked.sources.indexes.size()) +
                    " repositories, the lock " + std::to_string(lock.repositories.size()),
                recipe.where.str(), "lock the recipe again with `compose lock`");
  read_locked_packages(packages_files, fetcher, *options.log, locked.sources);

  // Every locked package must be a record of its signed Packages index; the plan points at
  // the signed record, never at the lock's copy of it.
  std::vector<SignedDebRecords> signed_records;
  for (const AptIndex& index : locked.sources.indexes)
    signed_records.emplace_back(index.packages, index.packages_url);
  for (std::size_t i = 0; i < lock.packages.size(); ++i) {
    const lock::LockedPackage& entry = lock.packages[i];
    try {
      locked.plan.packages.push_back(&signed_records.at(entry.repository)
                                         .find(entry, lock.repositories.at(entry.repository)));
    } catch (Error& e) {
      e.at("lock: packages[" + std::to_string(i) + "] (" + entry.name + ")");
      throw;
    }
    locked.plan.reasons.push_back(entry.reason);
  }
  locked.plan.world = lock.world;
  return locked;
}

} // namespace compose::pipeline
