// Reads an ext4 image back without mounting it (libext2fs, read-only): checks its metadata
// and lists every entry, so `compose inspect` and the tests can compare it with the tree.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "stage/tree.hpp"

namespace compose::emit {

struct Ext4Entry {
  std::string path; // as in the Tree: no leading '/', "" for the root
  stage::FileType type = stage::FileType::regular;
  std::uint32_t mode = 0; // permission bits incl. setuid/setgid/sticky
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t size = 0;
  std::string sha256;   // regular files: of the content
  std::string target;   // symlinks
  std::uint32_t rdev_major = 0, rdev_minor = 0;
  std::uint32_t links = 0;
  std::uint32_t inode = 0;
  std::map<std::string, std::string> xattrs;
};

struct Ext4Report {
  std::string label, uuid;
  std::vector<std::string> features; // mke2fs names, sorted
  std::uint64_t blocks = 0, free_blocks = 0, inodes = 0, free_inodes = 0;
  std::vector<Ext4Entry> entries;    // parents before children, names sorted as bytes
  std::vector<std::string> problems; // empty when every check passed
};

// Opens `image` read-only, verifies superblock, group descriptors, bitmaps, every inode's
// and directory block's checksum and the free counts, and lists the tree. Problems found
// on the way are collected in `problems`; throws Error only when the image cannot be
// opened as ext2/3/4 at all.
Ext4Report inspect_ext4(const std::filesystem::path& image);

// One line per entry: "drwxr-xr-x 0:0 4096 /etc", with sha256, link target, device
// number and xattrs (hex) where they apply; then the problems.
std::string format_report(const Ext4Report& report);

} // namespace compose::emit
