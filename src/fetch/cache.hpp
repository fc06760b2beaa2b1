// Cache: a content-addressed store. Entries live at sha256/<hex>; keys/<sha256 of a name>
// maps a stable name (an .apk's signed identity, an index URL) to an entry's digest.
// Entries arrive only through commit(), which renames a complete, checked temporary file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/files.hpp"

namespace compose::fetch {

bool is_sha256_hex(std::string_view text); // 64 lowercase hex digits: an entry's name
// The digest a keys/ record holds, or nothing when it is unreadable or not a digest.
std::optional<std::string> read_digest_record(const std::filesystem::path& record);

class Cache {
public:
  explicit Cache(std::filesystem::path root);

  const std::filesystem::path& root() const { return m_root; }
  // The entry for a digest, if present (and of the expected size, when one is given).
  std::optional<std::filesystem::path> find(const std::string& sha256,
                                            std::optional<std::uint64_t> size = {}) const;
  // The digest a name was last recorded with, if any.
  std::optional<std::string> lookup(const std::string& key) const;
  // A fresh temporary file name under tmp/ (removed unless committed).
  TempPath temporary() const;
  // Moves a checked temporary file into sha256/<hex> and returns the entry's path.
  std::filesystem::path commit(TempPath temporary, const std::string& sha256) const;
  // Records name -> digest (atomically).
  void remember(const std::string& key, const std::string& sha256) const;

private:
  std::filesystem::path m_root;
};

} // namespace compose::fetch
