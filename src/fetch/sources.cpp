// Mirror order and URL rewriting; see sources.hpp.
#include "fetch/sources.hpp"

namespace compose::fetch {

bool is_under(const std::string& url, const std::string& base)
{
  // Whole path parts: "…/debian" holds "…/debian/dists/…", not "…/debian-security/…".
  return !base.empty() && url.starts_with(base) &&
         (url.size() == base.size() || base.ends_with('/') || url[base.size()] == '/' ||
          url[base.size()] == '?');
}

std::string mirrored_url(const std::string& url,
                         const std::vector<std::pair<std::string, std::string>>& mirrors)
{
  const std::pair<std::string, std::string>* best = nullptr;
  for (const auto& mirror : mirrors)
    if (is_under(url, mirror.first) && (!best || mirror.first.size() > best->first.size()))
      best = &mirror;
  return best ? best->second + url.substr(best->first.size()) : url;
}

namespace {

// `url` (under `canonical`) moved under `base`; either may end in '/'.
std::string on_mirror(const std::string& url, const std::string& canonical,
                      const std::string& base)
{
  std::string rest = url.substr(canonical.size());
  if (canonical.ends_with('/') && !rest.empty())
    rest.insert(0, "/");
  std::string root = base;
  while (root.ends_with('/'))
    root.pop_back();
  return root + rest;
}

} // namespace

const RepositoryMirrors* repository_of(const std::string& url, const Options& options)
{
  const RepositoryMirrors* best = nullptr;
  for (const RepositoryMirrors& repository : options.repositories)
    if (!repository.urls.empty() && is_under(url, repository.urls.front()) &&
        (!best || repository.urls.front().size() > best->urls.front().size()))
      best = &repository;
  return best;
}

std::vector<Source> sources_for(const std::vector<std::string>& urls, const Options& options)
{
  std::vector<Source> sources;
  for (const std::string& url : urls)
    sources.push_back({url, mirrored_url(url, options.mirrors), {}});
  // A bundle holds the files under their canonical URLs only.
  if (!options.mirrors_only.empty())
    return sources;
  // Mirror by mirror: every URL of the request (by-hash, then the plain path) on the second
  // mirror before any on the third.
  for (std::size_t rank = 1;; ++rank) {
    bool more = false;
    for (const std::string& url : urls) {
      const RepositoryMirrors* repository = repository_of(url, options);
      if (!repository || repository->urls.size() <= rank)
        continue;
      more = true;
      const std::string public_url =
          on_mirror(url, repository->urls.front(), repository->urls[rank]);
      sources.push_back({public_url, mirrored_url(public_url, options.mirrors),
                         repository->urls[rank]});
    }
    if (!more)
      return sources;
  }
}

} // namespace compose::fetch
