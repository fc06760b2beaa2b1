// Signed Releases and Packages indexes for a Debian or Ubuntu build; see debian_sources.hpp.
#include "pipeline/debian_sources.hpp"

#include <ctime>
#include <future>
#include <optional>

#include "pipeline/debian_index_fetch.hpp"
#include "pipeline/debian_release.hpp"
#include "pipeline/key_lookup.hpp"
#include "pipeline/parsed_index_cache.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"
#include "verify/openpgp_keys.hpp"
#include "verify/trust_config.hpp"

namespace compose::pipeline {

AptIndex apt_index_of(const SignedRelease& release, const std::string& base_url,
                      const std::string& suite, const std::string& component, int priority)
{
  AptIndex index;
  index.base_url = base_url;
  index.suite = suite;
  index.component = component;
  index.release_url = release.url;
  index.release_sha256 = release.sha256;
  index.signature_url = release.signature_url;
  index.signature_sha256 = release.signature_sha256;
  index.signed_by = release.signed_by;
  index.release_date = release.release.date;
  index.priority = priority;
  return index;
}

namespace {

std::string without_trailing_slash(std::string url)
{
  while (url.size() > 1 && url.back() == '/')
    url.pop_back();
  return url;
}

// InRelease first, as apt does; Release + Release.gpg when a mirror has no InRelease. A
// Release enters the cache only once it passed every check (a refused one never shadows the
// copy verified before), and becomes the cache's answer for its URL only when the caller
// confirms it, after its Packages indexes were checked too.
SignedRelease fetch_release(const std::string& dists, const ReleaseRules& rules,
                            fetch::Fetcher& fetcher, Log& log)
{
  auto request_for = [](const std::string& url, const std::string& name) {
    fetch::Request request;
    request.urls = {url};
    request.kind = name.ends_with(".gpg") ? fetch::Kind::signature : fetch::Kind::index;
    request.cache_key = "index:" + url;
    request.freshness = fetch::Freshness::revalidate;
    request.adoption = fetch::Adoption::when_confirmed;
    request.display_name = name;
    return request;
  };
  // The Release read while checking a download is kept; a cached one is checked again.
  std::optional<SignedRelease> checked;
  const std::string inrelease = dists + "/InRelease";
  try {
    fetch::Request request = request_for(inrelease, "InRelease");
    request.validate = [&](const std::filesystem::path& file) {
      checked = accept_inrelease(read_file(file), inrelease, rules);
    };
    const fetch::Fetched file = fetcher.fetch(request);
    SignedRelease result =
        checked ? std::move(*checked) : accept_inrelease(read_file(file.path), inrelease, rules);
    result.files = {file};
    return result;
  } catch (const Error& e) {
    // Only a missing InRelease falls back; a bad signature is final.
    if (e.message().find("cannot fetch") == std::string::npos &&
        e.message().find("not in the cache") == std::string::npos)
      throw;
    log.detail(inrelease + ": not available, trying Release + Release.gpg");
  }
  const std::string url = dists + "/Release";
  const std::vector<fetch::Fetched> files = fetcher.fetch_together(
      {request_for(url, "Release"), request_for(url + ".gpg", "Release.gpg")},
      [&](const std::vector<std::filesystem::path>& pair) {
        checked = accept_detached(read_file(pair[0]), read_file(pair[1]), url, rules);
      });
  SignedRelease result =
      checked ? std::move(*checked)
              : accept_detached(read_file(files[0].path), read_file(files[1].path), url, rules);
  result.files = files;
  return result;
}

// Records the Packages file an index was read from; a fallback from a missing one is a
// warning, since a complete mirror serves every file its Release lists.
void use_packages_file(const IndexCandidate& used, const std::vector<std::string>& missing,
                       AptIndex& index, DebianSources& sources, Log& log)
{
  const std::string dists = index.base_url + "/dists/" + index.suite;
  index.packages_url = dists + "/" + used.path;
  index.packages_sha256 = used.sha256;
  index.packages_path = used.path;
  index.packages_size = used.size;
  index.packages_missing = missing;
  for (const std::string& file : missing) {
    // "main/binary-amd64/Packages.xz (URL: HTTP 404; …)"
    const std::size_t reasons = file.find(" (");
    const std::string warning = index.description() + ": " + file.substr(0, reasons) +
                                " is not on the mirror; using " + used.path +
                                ", which the signed Release also lists, as apt does" +
                                (reasons == std::string::npos ? "" : file.substr(reasons));
    log.warning(warning);
    sources.warnings.push_back(warning);
  }
}

// One bad stanza does not make an index unusable (as with apt); each is a warning. A broken
// index could give thousands: the first ones are printed, all are in the report.
void report_skipped_stanzas(const std::vector<std::string>& warnings, DebianSources& sources,
                            Log& log)
{
  constexpr std::size_t k_printed = 20;
  for (std::size_t i = 0; i < warnings.size(); ++i) {
    if (i < k_printed)
      log.warning(warnings[i]);
    sources.warnings.push_back(warnings[i]);
  }
  if (warnings.size() > k_printed)
    log.warning("… and " + std::to_string(warnings.size() - k_printed) +
                " more such warnings for this index (all are in the build report)");
}

} // namespace

std::string AptIndex::description() const { return base_url + " " + suite + "/" + component; }

std::vector<verify::OpenPgpTrust> load_debian_keys(const recipe::Recipe& recipe,
                                                  const BuildOptions& options,
                                                  fetch::Fetcher& fetcher, DebianSources& sources)
{
  const verify::TrustConfig trust = verify::load_trust_config(options.trust_dir);
  const verify::KeyLookup lookup = key_lookup(options, fetcher, true);
  std::vector<verify::OpenPgpTrust> trusts;
  for (const recipe::RepositorySpec& spec : recipe.repositories) {
    // Each repository is checked against its own keys only: Docker's key must not be able
    // to sign for Ubuntu's archive.
    trusts.push_back(verify::load_openpgp_keys(trust, spec.keys, lookup));
    for (const std::string& name : spec.keys)
      if (std::find(sources.keys.begin(), sources.keys.end(), name) == sources.keys.end())
        sources.keys.push_back(name);
    sources.key_files.push_back(trusts.back().files);
  }
  return trusts;
}

DebianSources load_debian_sources(const recipe::Recipe& recipe, const BuildOptions& options,
                                  fetch::Fetcher& fetcher)
{
  Log& log = *options.log;
  DebianSources sources;
  const std::vector<verify::OpenPgpTrust> trusts =
      load_debian_keys(recipe, options, fetcher, sources);

  std::vector<IndexChoice> requests;
  std::vector<fetch::Fetched> release_files;
  for (std::size_t r = 0; r < recipe.repositories.size(); ++r) {
    const recipe::RepositorySpec& spec = recipe.repositories[r];
    const verify::OpenPgpTrust& keys = trusts[r];
    const std::string base = without_trailing_slash(spec.url);
    for (const std::string& suite : spec.suites) {
      const std::string dists = base + "/dists/" + suite;
      log.step("verify " + dists);
      SignedRelease signed_release;
      try {
        signed_release = fetch_release(dists, {keys, suite, recipe, options}, fetcher, log);
      } catch (Error& e) {
        e.with_hint(e.hint().empty() ? "repository defined at " + spec.where.str() : e.hint());
        throw;
      }
      log.detail(signed_release.url + ": signed by " + signed_release.signed_by);
      for (const std::string& note : signed_release.overrides)
        sources.overrides.push_back(note);
      release_files.insert(release_files.end(), signed_release.files.begin(),
                           signed_release.files.end());
      for (const std::string& component : spec.components) {
        const std::vector<const repo::deb::ReleaseEntry*> entries = repo::deb::packages_indexes(
            signed_release.release, component, recipe.architecture);
        if (entries.empty())
          throw Error("the Release lists no Packages index for " + component + "/binary-" +
                          recipe.architecture,
                      signed_release.url, "check components and architecture in " +
                                              spec.where.str());
        AptIndex index = apt_index_of(signed_release, base, suite, component, spec.priority);
        IndexChoice choice;
        choice.name = suite + "/" + component + "/binary-" + recipe.architecture + "/Packages";
        choice.suite = suite;
        for (const repo::deb::ReleaseEntry* entry : entries) {
          IndexCandidate candidate{entry->path, entry->sha256, entry->size, {}};
          // By-hash first when the archive offers it (no race with a mirror update), then
          // the plain path; both must match the signed digest.
          if (signed_release.release.acquire_by_hash)
            candidate.urls.push_back(dists + "/" + repo::deb::by_hash_path(*entry));
          candidate.urls.push_back(dists + "/" + entry->path);
          choice.candidates.push_back(std::move(candidate));
        }
        requests.push_back(std::move(choice));
        sources.indexes.push_back(std::move(index));
      }
    }
  }

  log.step("fetch " + std::to_string(requests.size()) + " Packages index(es)");
  const std::vector<FetchedIndex> files = fetch_packages_indexes(requests, fetcher);
  for (std::size_t i = 0; i < files.size(); ++i)
    use_packages_file(requests[i].candidates[files[i].used], files[i].missing,
                      sources.indexes[i], sources, log);
  // Every Packages index matched its signed digest: the Releases become the cache's answer
  // for their URLs together with them (apt's update transaction).
  for (const fetch::Fetched& file : release_files)
    fetcher.confirm(file);
  // Decompressing and parsing dominate for big archives: one task per index (a warm build
  // reads each index's parsed form from the cache instead).
  std::vector<std::future<repo::deb::PackagesIndex>> parsed;
  for (std::size_t i = 0; i < files.size(); ++i)
    parsed.push_back(std::async(std::launch::async, [&, i] {
      return read_packages_index_cached(fetcher.options().cache_dir, files[i].file.path,
                                        files[i].file.sha256, sources.indexes[i].packages_url,
                                        log);
    }));
  for (std::size_t i = 0; i < parsed.size(); ++i) {
    repo::deb::PackagesIndex read = parsed[i].get();
    report_skipped_stanzas(read.warnings, sources, log);
    sources.indexes[i].packages = std::move(read.packages);
    for (repo::deb::Package& package : sources.indexes[i].packages)
      package.index = i;
    log.detail(sources.indexes[i].description() + ": " +
               std::to_string(sources.indexes[i].packages.size()) + " packages");
  }
  return sources;
}

} // namespace compose::pipeline
