// Tree: the root filesystem in memory. Every stage after unpacking adds to it; the rootfs
// tar, OCI and ext4 writers walk the same tree in the same sorted order.
//
// Paths are relative to the image root, without a leading '/', components separated by
// '/' ("usr/bin/env"); "" is the root directory itself. Names compare as bytes.
// Hard links are two names sharing one Inode (shared_ptr), as in a real filesystem.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stage/content.hpp"

namespace compose::stage {

enum class FileType : std::uint8_t {
  regular,
  directory,
  symlink,
  char_device,
  block_device,
  fifo,
  socket,
};

const char* file_type_name(FileType type); // "regular file", "directory", ...

struct Inode {
  FileType type = FileType::regular;
  std::uint32_t mode = 0644; // permission bits incl. setuid/setgid/sticky (07777)
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::int64_t mtime = 0;    // writers use the build epoch; kept for reports
  std::map<std::string, std::string> xattrs; // "security.capability" -> raw bytes
  Content content;           // regular files
  std::string target;        // symlinks: the link text as stored
  std::uint32_t rdev_major = 0, rdev_minor = 0; // devices
  // Directories: children by name, sorted as bytes.
  std::map<std::string, std::shared_ptr<Inode>> children;
};

// What add() should do when a path's parent is a symlink.
enum class ParentSymlinks {
  reject, // apk: writing "x/y" where x is a symlink is a symlink-escape attempt
  follow, // dpkg with merged /usr: "lib/x" lands in "usr/lib/x"; resolved inside the root
};

// What add() should do when something already exists at the path.
enum class Existing {
  replace, // a later package or overlay wins
  keep,    // keep what is there (busybox applet links must not replace real binaries)
  error,   // throw
};

class Tree {
public:
  Tree();

  // Checks and normalises a path from an archive or recipe: strips one leading "./" or
  // "/", rejects "..", empty components and NUL. Throws Error naming the path.
  static std::string normalise(std::string_view path);

  // Adds an entry. Parent directories must exist unless `create_parents` (then 0755 root
  // directories are made). A directory added over an existing directory updates its
  // metadata and keeps its children. Returns false when Existing::keep kept the old entry.
  bool add(const std::string& path, Inode inode, Existing existing = Existing::replace,
           ParentSymlinks parents = ParentSymlinks::reject, bool create_parents = false);
  bool add_directory(const std::string& path, std::uint32_t mode = 0755, std::uint32_t uid = 0,
                     std::uint32_t gid = 0, bool create_parents = true);
  bool add_file(const std::string& path, std::string bytes, std::uint32_t mode = 0644,
                std::uint32_t uid = 0, std::uint32_t gid = 0,
                Existing existing = Existing::replace);
  bool add_symlink(const std::string& path, std::string target,
                   Existing existing = Existing::replace);
  // Makes `path` another name of the inode at `existing_path` (which must not be a directory).
  void add_hardlink(const std::string& path, const std::string& existing_path,
                    Existing existing = Existing::replace,
                    ParentSymlinks parents = ParentSymlinks::reject);

  // Lookup without following symlinks in the last component; parents may be followed
  // when `parents` says so. Returns nullptr when absent.
  std::shared_ptr<Inode> find(const std::string& path,
                              ParentSymlinks parents = ParentSymlinks::reject) const;
  // Follows symlinks everywhere (absolute targets resolve inside the root), like open().
  std::shared_ptr<Inode> resolve(const std::string& path) const;
  bool exists(const std::string& path) const { return find(path) != nullptr; }
  bool remove(const std::string& path); // removes a subtree; false when absent

  std::shared_ptr<Inode> root() const { return m_root; }

  // Depth-first walk, parents before children, siblings sorted by name bytes.
  // `first_name` is true the first time an inode is visited (later names are hard links,
  // and `first_path` then says where it was first seen).
  struct Visit {
    const std::string& path;
    const Inode& inode;
    bool first_name;
    const std::string& first_path;
    std::uint32_t link_count; // names of this inode in the tree
  };
  void walk(const std::function<void(const Visit&)>& visitor) const;

  // Totals, for sizing and reports.
  struct Stats {
    std::uint64_t inodes = 0, names = 0, directories = 0, content_bytes = 0;
  };
  Stats stats() const;

private:
  std::shared_ptr<Inode> parent_for(const std::string& path, std::string& leaf,
                                    ParentSymlinks parents, bool create_parents,
                                    bool remember = true);
  void remember_directory(const std::string& path, std::shared_ptr<Inode> directory);
  void forget_directory();
  std::shared_ptr<Inode> m_root;
  // The directory the last add() resolved or made, by plain path (no symlink on the way).
  // Archives list entries depth-first, so the next entry's parent is nearly always this one;
  // looking it up again would make every add cost O(depth) and a deep tree O(n²). Writers
  // set it, only add() and remove() change the tree's shape, and both keep it right.
  std::string m_last_directory_path;
  std::shared_ptr<Inode> m_last_directory;
};

} // namespace compose::stage
