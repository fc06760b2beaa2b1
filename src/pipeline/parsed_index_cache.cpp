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
      mark_used(entry);
      return index;
    } catch (const Error& e) {
      log.detail(url + ": cached parsed form refused (" + e.message() + "), parsing again");
    }
  }
  // Decompressed (on another core) and parsed piece by piece: the 50 MB of text of a big
  // index are never held whole, and the parsed form goes to the file as it is encoded.
  repo::deb::PackagesIndexReader reader(url);
  decompress_to_in_parallel(read_file(file), compression_of(url, url), url,
                            [&](std::string_view piece) { reader.feed(piece); });
  repo::deb::PackagesIndex index = reader.finish();
  try {
    fs::create_directories(entry.parent_path());
    AtomicFile out(entry, AtomicFile::Sync::scratch); // its digest is checked on every read
    repo::deb::encode_packages_index(index, [&](std::string_view piece) { out.write(piece); });
    out.commit();
  } catch (const std::exception& e) {
    log.detail(url + ": cannot keep the parsed form (" + std::string(e.what()) + ")");
  }
  return index;
}

} // namespace compose::pipeline
