// Where a request's bytes may come from, in the order they are tried: each of its URLs on
// the repository's first mirror, then each on the next mirror (`urls = [...]`), every one
// sent through the --mirror rewrites. A bundle build (mirrors_only) uses the first only.
#pragma once

#include <string>
#include <vector>

#include "fetch/fetch.hpp"

namespace compose::fetch {

struct Source {
  std::string public_url; // the URL on the mirror, as the recipe names that mirror
  std::string url;        // where the transfer goes (after --mirror)
  std::string mirror;     // the base of a mirror after the first; "" on the first
};

std::vector<Source> sources_for(const std::vector<std::string>& urls, const Options& options);

// The repository whose canonical base `url` lies under (the longest one), if any.
const RepositoryMirrors* repository_of(const std::string& url, const Options& options);

// True when `base` is a prefix of `url` ending at a path part boundary.
bool is_under(const std::string& url, const std::string& base);

} // namespace compose::fetch
