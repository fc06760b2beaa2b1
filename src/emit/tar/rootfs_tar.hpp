// The tree as a POSIX tar stream: depth-first with siblings sorted as bytes (GNU tar
// --sort=name order), numeric owners with empty owner names, every mtime the build epoch,
// no atime/ctime, xattrs as SCHILY.xattr.* PAX records, hard links as type '1' pointing at
// the first name. The rootfs tarball and the OCI layer are this same stream.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "stage/tree.hpp"

namespace compose::emit {

struct TarOptions {
  std::int64_t epoch = 0; // SOURCE_DATE_EPOCH
};

using ByteSink = std::function<void(std::string_view bytes)>;

struct TarSummary {
  std::uint64_t entries = 0;
  std::vector<std::string> skipped_sockets; // tar cannot hold sockets
};

// Streams the tar to `sink` (in chunks). Throws Error with libarchive's text on failure.
TarSummary write_tar_stream(const stage::Tree& tree, const TarOptions& options,
                            const ByteSink& sink);

// Writes the tar to `destination` atomically. Returns the file's SHA-256 (hex).
std::string write_rootfs_tar(const stage::Tree& tree, const std::filesystem::path& destination,
                             const TarOptions& options);

} // namespace compose::emit
