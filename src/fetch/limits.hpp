// Size ceilings for downloads. A file the signed index describes (a package, a Packages
// index listed in a Release) is read up to its exact size; every other file up to the
// ceiling of its kind, so a hostile or broken server cannot fill the disk or the memory
// with an endless body. The transfer stops as soon as the body passes the ceiling.
#pragma once

#include <cstdint>
#include <string>

namespace compose::fetch {

// What a download is, for its ceiling when no exact size is known.
enum class Kind {
  file,           // pinned [[files]] downloads, bundle members, anything else
  package,        // .apk and .deb (their index always gives the size)
  index,          // APKINDEX.tar.gz, InRelease, Release
  packages_index, // a Packages file whose size the Release does not give
  signature,      // Release.gpg
  key,            // a trusted key fetched from its pinned URL
};

// The documented defaults (README, "Limits"): 32 MiB for indexes, 512 MiB for Packages,
// 1 MiB for signatures and keys, 4 GiB for files and packages.
std::uint64_t default_ceiling(Kind kind);

// True for the kinds a repository's `max_index_size` replaces the default of.
bool is_index(Kind kind);

// "the 32 MiB limit for an index (raise it with max_index_size in the repository)".
std::string describe_ceiling(Kind kind, std::uint64_t bytes);

// "32 MiB", "1536 KiB", "700 bytes": exact, in the largest unit that divides it.
std::string byte_count(std::uint64_t bytes);

} // namespace compose::fetch
