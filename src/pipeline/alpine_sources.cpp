// Keys and indexes for an Alpine build; see alpine_sources.hpp.
#include "pipeline/alpine_sources.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "pipeline/key_lookup.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "verify/trust_config.hpp"

namespace compose::pipeline {

namespace {

std::string without_trailing_slash(std::string url)
{
  while (url.size() > 1 && url.back() == '/')
    url.pop_back();
  return url;
}

} // namespace

verify::Keyring load_alpine_keys(const recipe::Recipe& recipe, const BuildOptions& options,
                                 fetch::Fetcher& fetcher)
{
  std::vector<std::string> names;
  for (const recipe::RepositorySpec& repository : recipe.repositories)
    for (const std::string& key : repository.keys)
      if (std::find(names.begin(), names.end(), key) == names.end())
        names.push_back(key);
  if (names.empty())
    throw Error("the recipe trusts no keys", recipe.where.str(),
                "list the key files of the repository under repositories.keys");

  const verify::TrustConfig trust = verify::load_trust_config(options.trust_dir);
  const verify::KeyLookup lookup = key_lookup(options, fetcher, false);
  return verify::load_apk_keyring(trust, names, lookup);
}

std::vector<repo::apk::Repository> alpine_repositories(const recipe::Recipe& recipe)
{
  std::vector<repo::apk::Repository> repositories;
  for (const recipe::RepositorySpec& spec : recipe.repositories) {
    for (const std::string& name : spec.repos) {
      repo::apk::Repository repository;
      repository.base_url = without_trailing_slash(spec.url) + "/" + spec.branch + "/" + name;
      repository.name = name;
      repository.arch = recipe.architecture;
      repository.tag = spec.tag;
      repositories.push_back(std::move(repository));
    }
  }
  if (repositories.empty())
    throw Error("the recipe names no repositories", recipe.where.str());
  return repositories;
}

AlpineSources load_alpine_sources(const recipe::Recipe& recipe, const BuildOptions& options,
                                  fetch::Fetcher& fetcher)
{
  Log& log = *options.log;
  AlpineSources sources{load_alpine_keys(recipe, options, fetcher), {}};
  const std::vector<repo::apk::Repository> repositories = alpine_repositories(recipe);

  // An index enters the cache only once its signature checks out (a refused download never
  // shadows the copy verified before); the index read while checking is kept, not read twice.
  std::vector<std::optional<repo::apk::Index>> checked(repositories.size());
  std::vector<fetch::Request> requests;
  for (std::size_t i = 0; i < repositories.size(); ++i) {
    const repo::apk::Repository& repository = repositories[i];
    fetch::Request request;
    request.urls = {repository.index_url()};
    request.cache_key = "index:" + repository.index_url();
    request.freshness = fetch::Freshness::revalidate;
    request.kind = fetch::Kind::index;
    request.display_name = repository.name + "/APKINDEX.tar.gz";
    request.validate = [&checked, &repository, &sources, i](const std::filesystem::path& file) {
      checked[i] = repo::apk::load_index(read_file(file), repository, sources.keys,
                                         repository.index_url());
    };
    requests.push_back(std::move(request));
  }
  log.step("fetch " + std::to_string(requests.size()) + " signed index(es)");
  const std::vector<fetch::Fetched> files = fetcher.fetch_all(requests);

  for (std::size_t i = 0; i < repositories.size(); ++i) {
    const std::string url = repositories[i].index_url();
    try {
      // A cached copy was verified when it entered the cache; it is verified again here.
      repo::apk::Index index =
          checked[i] ? std::move(*checked[i])
                     : repo::apk::load_index(read_file(files[i].path), repositories[i],
                                             sources.keys, url);
      for (repo::apk::Package& package : index.packages)
        package.repository = i;
      log.detail(url + ": " + std::to_string(index.packages.size()) + " packages, signed by " +
                 index.repository.signed_by);
      for (const std::string& problem : index.problems)
        log.warning(url + ": " + problem);
      sources.indexes.push_back(std::move(index));
    } catch (Error& e) {
      if (e.where().find(url) == std::string::npos)
        e.at(url);
      throw;
    }
  }
  return sources;
}

} // namespace compose::pipeline
