// Where a transfer's body goes: a file, hashed as it is written, cut off at a ceiling. A
// write the disk refuses is an Error with the OS reason, never a transfer problem to retry.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "util/handles.hpp"
#include "util/hash.hpp"

namespace compose::fetch {

class BodySink {
public:
  // Opens `destination` for writing; throws Error naming `url` when it cannot.
  BodySink(std::string url, std::filesystem::path destination, std::uint64_t max_bytes);

  // Appends `bytes`; false (and nothing written) when they would pass the ceiling, or when
  // the write failed (finish() then throws).
  bool append(const char* data, std::size_t bytes);
  // Flushes; throws Error("cannot write the download of URL: <OS reason>") after a failed
  // write.
  void finish();

  bool too_large() const { return m_too_large; }
  std::uint64_t size() const { return m_size; }
  std::uint64_t max_bytes() const { return m_max_bytes; }
  std::string sha256() { return m_hasher.finish_hex(); }

private:
  std::string m_url;
  std::filesystem::path m_destination;
  std::unique_ptr<std::FILE, FreeWith<std::fclose>> m_file;
  Hasher m_hasher{DigestAlgorithm::sha256};
  std::uint64_t m_size = 0;
  std::uint64_t m_max_bytes;
  bool m_too_large = false;
  int m_write_errno = 0; // why a write failed (ENOSPC, EDQUOT, EIO, …); 0: none failed
};

} // namespace compose::fetch
