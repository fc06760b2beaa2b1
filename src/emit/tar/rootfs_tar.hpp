// The tree as a POSIX tar stream: sorted entries, numeric owners, every timestamp the
// build epoch, PAX xattrs (SCHILY.xattr.*), hard links as type '1'. The rootfs tarball
// and the OCI layer are this same stream.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "stage/tree.hpp"

namespace compose::emit {

struct TarOptions {
  std::int64_t epoch = 0; // SOURCE_DATE_EPOCH
};

// Writes the tar to `destination` atomically. Returns the file's SHA-256 (hex).
std::string write_rootfs_tar(const stage::Tree& tree, const std::filesystem::path& destination,
                             const TarOptions& options);

} // namespace compose::emit
