// The tree as an ext4 disk image, written in-process with libext2fs: no mkfs, no mount, no
// loop device, no root. Sized from the content plus headroom (or the recipe's fixed size),
// features and label from the recipe, UUID and directory hash seed derived from the build's
// inputs, every time the build epoch: the same tree and options give the same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "recipe/recipe.hpp"
#include "stage/tree.hpp"

namespace compose::emit {

struct Ext4Options {
  std::int64_t epoch = 0; // SOURCE_DATE_EPOCH: every inode and superblock time; must be >= 1
  std::string seed;       // digest of the build's inputs; SHA-256 of it gives UUID and hash seed
  recipe::Ext4Spec spec;
};

struct Ext4Result {
  std::uint64_t size_bytes = 0; // of the image file (sparse: fewer bytes are allocated)
  std::string sha256;           // of the image file, lower-case hex
  std::uint64_t blocks = 0;     // file system blocks (4 KiB), used ones
  std::uint64_t inodes = 0;     // inodes in use, including the reserved ones
};

// Writes `destination` atomically (temporary file beside it, renamed when complete).
// Throws Error, leaving nothing behind, when: a feature name is unknown (the message lists
// the supported ones), the label is longer than 16 bytes, a fixed size is too small for the
// content, an entry cannot be stored in ext4 (a name longer than 255 bytes, a file larger
// than 16 TiB, xattrs that do not fit in one block) or libext2fs fails (its message).
Ext4Result write_ext4(const stage::Tree& tree, const Ext4Options& options,
                      const std::filesystem::path& destination);

} // namespace compose::emit
