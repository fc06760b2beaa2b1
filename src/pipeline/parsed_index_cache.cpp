// Parsed Packages indexes in the cache; see parsed_index_cache.hpp.
#include "pipeline/parsed_index_cache.hpp"

#include "repo/deb/packages_index_codec.hpp"
#include "util/decompress.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

repo::deb::PackagesIndex read_packages_index_cached(const fs::path& cache_dir,
                                                    const fs::path& file,
                                                    const std::string& file_sha256,
                                                    const std::string& url, Log& log)
{
  const fs::path entry =
      cache_dir / "parsed" / sha256_hex("Packages\n" + file_sha256 + "\n" + url + "\n");
  std::error_code ec;
  if (fs::exists(entry, ec)) {
    try {
      repo::deb::PackagesIndex index = repo::deb::decode_packages_index(read_file(entry), url);
      log.detail(url + ": parsed form read from the cache");
      return index;
    } catch (const Error& e) {
      log.detail(url + ": cached parsed form refused (" + e.message() + "), parsing again");
    }
  }
  const std::string text = decompress(read_file(file), compression_of(url, url), url);
  repo::deb::PackagesIndex index = repo::deb::read_packages_index(text, url);
  try {
    fs::create_directories(entry.parent_path());
    write_file_atomic(entry, repo::deb::encode_packages_index(index));
  } catch (const std::exception& e) {
    log.detail(url + ": cannot keep the parsed form (" + std::string(e.what()) + ")");
  }
  return index;
}

} // namespace compose::pipeline
