// Download size ceilings; see limits.hpp.
#include "fetch/limits.hpp"

namespace compose::fetch {

namespace {
constexpr std::uint64_t k_kib = 1024;
constexpr std::uint64_t k_mib = k_kib * 1024;
constexpr std::uint64_t k_gib = k_mib * 1024;
} // namespace

std::uint64_t default_ceiling(Kind kind)
{
  // Real sizes, for scale: APKINDEX.tar.gz of community is ~1.5 MiB, an Ubuntu InRelease
  // ~300 KiB, Debian's largest uncompressed Packages ~70 MiB, a Release.gpg ~2 KiB.
  switch (kind) {
  case Kind::index: return 32 * k_mib;
  case Kind::packages_index: return 512 * k_mib;
  case Kind::signature:
  case Kind::key: return 1 * k_mib;
  case Kind::package:
  case Kind::file: return 4 * k_gib;
  }
  return 4 * k_gib;
}

bool is_index(Kind kind)
{
  return kind == Kind::index || kind == Kind::packages_index;
}

std::string byte_count(std::uint64_t bytes)
{
  if (bytes != 0 && bytes % k_gib == 0)
    return std::to_string(bytes / k_gib) + " GiB";
  if (bytes != 0 && bytes % k_mib == 0)
    return std::to_string(bytes / k_mib) + " MiB";
  if (bytes != 0 && bytes % k_kib == 0)
    return std::to_string(bytes / k_kib) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string describe_ceiling(Kind kind, std::uint64_t bytes)
{
  const std::string limit = "the " + byte_count(bytes) + " limit for ";
  switch (kind) {
  case Kind::index:
    return limit + "an index (raise it with max_index_size in the recipe's repository)";
  case Kind::packages_index:
    return limit + "a Packages index (raise it with max_index_size in the recipe's repository)";
  case Kind::signature: return limit + "a signature";
  case Kind::key: return limit + "a key";
  case Kind::package: return limit + "a package";
  case Kind::file: return limit + "a download";
  }
  return limit + "a download";
}

} // namespace compose::fetch
