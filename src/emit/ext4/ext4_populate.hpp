// Puts the tree into a freshly made ext4 file system, entry by entry in the tree's sorted
// walk, so inode numbers and block placement depend only on the tree.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "emit/ext4/ext2fs_call.hpp"
#include "emit/ext4/ext4_geometry.hpp"
#include "stage/tree.hpp"

namespace compose::emit::ext4 {

// Sets every time field of an inode to `epoch` (seconds, with the ext4 epoch bits for
// times past 2038) and the creation time too.
void set_inode_times(ext2_inode_large& inode, std::int64_t epoch);

class TreeWriter {
public:
  // `lost_and_found` is the inode the image already has; a tree entry of that name takes
  // its metadata.
  // `runs`: the data runs measure_content found (files missing there are scanned again).
  TreeWriter(ext2_filsys fs, std::int64_t epoch, ext2_ino_t lost_and_found,
             const std::unordered_map<const stage::Inode*, std::vector<DataRun>>& runs);

  void add(const stage::Tree::Visit& visit); // throws Error naming the path
  // Writes every directory's entries. Names are collected while adding and written once
  // per directory at the end: linking them one by one (ext2fs_link) rescans and
  // re-checksums the whole directory for every name.
  void finish();

private:
  ext2_ino_t new_inode(ext2_ino_t parent, std::uint32_t mode, const std::string& path);
  struct Entry {
    std::string name;
    ext2_ino_t ino;
    int file_type;
  };
  struct Directory {
    ext2_ino_t ino, parent;
    std::string path;
    std::vector<Entry> entries; // in the tree's order
  };
  void write_directory(const Directory& directory);
  ext2_ino_t add_directory(ext2_ino_t parent, const std::string& path);
  void add_symlink(ext2_ino_t parent, ext2_ino_t ino, const stage::Inode& inode,
                   const std::string& path);
  void write_contents(ext2_ino_t ino, ext2_inode_large& inode, const stage::Inode& entry,
                      const std::string& path);
  void write_with_file_api(ext2_ino_t ino, const stage::Inode& entry, const std::string& path);
  // Mode, owner, times and link count over whatever libext2fs wrote for the inode.
  void set_metadata(ext2_ino_t ino, const stage::Inode& entry, std::uint32_t links,
                    const std::string& path);
  void fill(ext2_inode_large& inode, const stage::Inode& entry, std::uint32_t links) const;
  void write_xattrs(ext2_ino_t ino, const stage::Inode& entry, const std::string& path);
  void write_inode(ext2_ino_t ino, ext2_inode_large& inode, const std::string& path);
  void read_inode(ext2_ino_t ino, ext2_inode_large& inode, const std::string& path);

  std::vector<DataRun> runs_of(const stage::Inode& entry) const;

  ext2_filsys m_fs;
  std::int64_t m_epoch;
  const std::unordered_map<const stage::Inode*, std::vector<DataRun>>& m_runs;
  ext2_ino_t m_lost_and_found;
  std::unordered_map<const stage::Inode*, ext2_ino_t> m_inodes; // for hard links
  std::vector<Directory> m_directories;                         // in creation order
  std::unordered_map<std::string, std::size_t> m_directory_index; // path -> m_directories
  std::vector<char> m_buffer; // file data on its way to the image, k_write_chunk_blocks blocks
  blk64_t m_goal = 0; // where the next file's data should go: right after the last one
};

} // namespace compose::emit::ext4
