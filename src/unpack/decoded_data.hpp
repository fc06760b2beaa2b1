// The decoded-package cache: the uncompressed data tar of each verified package, kept once
// as <cache>/decoded/<package sha256>.tar with a sidecar <…>.tar.sum ("<sha256 of the tar>
// <size>\n") written after the tar is in place. A warm build reads the tar instead of
// decompressing the package again, checking the sidecar's digest in the same pass that
// reads the tar's headers; a missing, damaged or truncated entry is decoded afresh from
// the verified package and replaced, never used. The tree's file contents are references
// into the open tar, so memory does not grow with the image. Without a cache directory
// (or one that cannot be written) the tar goes to a spill file in TMPDIR, unlinked at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stage/content.hpp"
#include "unpack/tar_reader.hpp"
#include "util/log.hpp"

namespace compose::unpack {

// One package's data tar in a file, with its entries (contents as places in that file).
struct DecodedData {
  std::shared_ptr<const stage::ContentFile> file;
  std::vector<TarEntry> entries; // archive order
  stage::Content content_of(const TarEntry& entry) const
  {
    return stage::Content(file, entry.content_offset, entry.size);
  }
};

// Writes the package's uncompressed data tar, piece by piece, through `write`.
using DataDecoder = std::function<void(const std::function<void(std::string_view)>& write)>;

class DecodedCache {
public:
  // `directory` holds the entries (created when missing); empty: spill files only.
  explicit DecodedCache(std::filesystem::path directory, Log& log = quiet_log());

  // The data of the package whose verified SHA-256 is `package_sha256`; `where` names its
  // data member in messages. Throws Error for a data tar that is not valid (the package's
  // own fault) or a spill file that cannot be written; a cache entry that cannot be read
  // or written costs a decode, not the build. Safe to call from several threads.
  DecodedData open(const std::string& package_sha256, const std::string& where,
                   const DataDecoder& decode);

  struct Counts {
    std::size_t read = 0;    // served from a cache entry
    std::size_t decoded = 0; // decompressed by this build (cold, spill or rebuilt)
    std::size_t rebuilt = 0; // of those, entries that were there but damaged
  };
  Counts counts() const;
  // "decoded 0 packages, 97 read from the decoded cache"; for the build's log.
  std::string summary() const;

private:
  std::optional<DecodedData> read_entry(const std::string& package_sha256,
                                        const std::string& where);
  DecodedData decode_entry(const std::string& package_sha256, const std::string& where,
                           const DataDecoder& decode);

  std::filesystem::path m_directory;
  Log& m_log;
  std::atomic<std::size_t> m_read{0}, m_decoded{0}, m_rebuilt{0};
};

} // namespace compose::unpack
