// Fetching a suite's Packages indexes as apt does: the first compression the signed Release
// lists (.xz, then .gz, then plain), by-hash path first; when that file is missing from the
// mirror (404, no such file, not in the bundle or the offline cache), the next one. Any other
// failure (a digest or size that differs from the Release, a server error) stays fatal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fetch/fetch.hpp"
#include "util/error.hpp"

namespace compose::pipeline {

// One file the Release pins, with the URLs it may be fetched from (by-hash first).
struct IndexCandidate {
  std::string path; // below dists/<suite>/: "main/binary-amd64/Packages.gz"
  std::string sha256;
  std::uint64_t size = 0;
  std::vector<std::string> urls;
};

// The candidates for one Packages index, in apt's order of preference.
struct IndexChoice {
  std::string name;  // for messages: "bookworm/main/binary-amd64/Packages"
  std::string suite; // "bookworm": a candidate's display name is suite/path
  std::vector<IndexCandidate> candidates;
};

struct FetchedIndex {
  fetch::Fetched file;
  std::size_t used = 0;              // position in IndexChoice::candidates
  std::vector<std::string> missing;  // "path (URL: HTTP 404)" of the candidates passed over
};

// Results in the order of `choices`. Throws Error naming every URL tried when no candidate
// of an index is on the mirror, and the fetch error itself for any other failure.
std::vector<FetchedIndex> fetch_packages_indexes(const std::vector<IndexChoice>& choices,
                                                 fetch::Fetcher& fetcher);

// True when every failure `error` (a Fetcher error) lists says the file is not there, so
// that a client may try another file: HTTP 404 or 410, a local file that cannot be opened,
// a file not in the bundle, or not in the cache offline.
bool only_missing(const Error& error);

} // namespace compose::pipeline
