// The gzip member of each layer block, kept in the cache: <cache>/gzip-blocks/<k>/<key>, the
// key a SHA-256 over the engine (libdeflate's version, level, block size) and the block's
// uncompressed bytes. Members are independent and their bytes depend only on the block and
// the engine, so a rebuild of an unchanged tree copies members instead of compressing the
// layer again, and the layer is the same bytes either way.
//
// An entry is the member followed by the SHA-256 of the member. It is used only when that
// digest matches and the member's own trailer (CRC-32 and length of the uncompressed data)
// matches the block at hand; anything else is counted as damaged and compressed afresh.
// Entries appear by rename and need no fsync: a torn entry fails the check. A cache that
// cannot be written costs compression time, never the build.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace compose::emit::oci {

class GzipBlockCache {
public:
  // `engine` is compression_engine(gzip): another engine gives other keys.
  GzipBlockCache(std::filesystem::path directory, std::string engine);

  std::string key(std::string_view block) const;
  // The checked member for `block` stored under `key`, or nothing. Thread-safe.
  std::optional<std::string> find(const std::string& key, std::string_view block);
  // Best effort; thread-safe (each writer has its own temporary name).
  void store(const std::string& key, std::string_view member);

  struct Counts {
    std::size_t reused = 0;  // members copied from the cache
    std::size_t stored = 0;  // members compressed by this build and kept
    std::size_t damaged = 0; // entries that failed the check (then compressed and replaced)
  };
  Counts counts() const;

private:
  std::filesystem::path path_of(const std::string& key) const;

  std::filesystem::path m_directory;
  std::string m_engine;
  std::atomic<std::size_t> m_reused{0}, m_stored{0}, m_damaged{0};
};

// The member's trailer names `block`: gzip magic and deflate method, then CRC-32 and size
// (mod 2^32) of the uncompressed data in the last eight bytes (RFC 1952 2.3.1).
bool gzip_member_describes(std::string_view member, std::string_view block);

} // namespace compose::emit::oci
