// Tree fixtures for emitter tests and benchmarks; see tree_fixtures.hpp.
#include "tree_fixtures.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "util/error.hpp"
#include "util/files.hpp"

namespace compose::testing {

using stage::FileType;
using stage::Inode;
using stage::Tree;

namespace {

Inode special(FileType type, std::uint32_t mode, std::uint32_t major = 0, std::uint32_t minor = 0)
{
  Inode inode;
  inode.type = type;
  inode.mode = mode;
  inode.rdev_major = major;
  inode.rdev_minor = minor;
  return inode;
}

// Bytes that are never all zero in any 4 KiB block, different per seed.
std::string pattern(std::size_t size, unsigned seed)
{
  std::string bytes(size, '\0');
  std::uint32_t state = seed * 2654435761u + 1;
  for (char& byte : bytes) {
    state = state * 1103515245u + 12345u;
    byte = static_cast<char>((state >> 16) | 1);
  }
  return bytes;
}

} // namespace

Tree representative_tree()
{
  Tree tree;
  tree.root()->mode = 0755;
  tree.add_directory("bin");
  tree.add_directory("etc");
  tree.add_directory("tmp", 01777);
  tree.add_directory("home/user", 0700, 1000, 1000);
  tree.add_directory("var/lib/big", 0755, 70000, 70001); // owner ids above 65535

  tree.add_file("etc/hostname", "compose\n");
  tree.add_file("etc/empty", "");
  tree.add_file("etc/shadow", "root:*:19000:0:99999:7:::\n", 0640, 0, 42);
  tree.add_file("bin/su", pattern(5000, 1), 04755);
  tree.add_file("bin/wall", pattern(300, 2), 02755, 0, 5);
  tree.add_file("bin/sticky", "#!/bin/sh\n", 01755);
  tree.add_file("var/lib/big/three-mib", pattern(3 << 20, 3), 0600, 70000, 70001);

  // 1 MiB of data, 1 MiB of zeros, 1 MiB of data, then 8 KiB and a zero tail of 5000 bytes.
  std::string sparse = pattern(1 << 20, 4) + std::string(1 << 20, '\0') + pattern(1 << 20, 5) +
                       pattern(8192, 6) + std::string(5000, '\0');
  tree.add_file("var/lib/sparse", std::move(sparse));
  tree.add_file("var/lib/all-zero", std::string(3 << 20, '\0'));

  tree.add_symlink("bin/sh", "busybox");                  // fast: in the inode
  tree.add_symlink("bin/long", "/" + std::string(200, 'x') + "/target"); // slow: a block
  tree.add_symlink("bin/fifty-nine", std::string(59, 'y'));
  tree.add_symlink("bin/sixty", std::string(60, 'z'));

  tree.add_file("bin/busybox", pattern(20000, 7), 0755);
  tree.add_hardlink("bin/ls", "bin/busybox");
  tree.add_hardlink("etc/busybox-copy", "bin/busybox");

  tree.add_directory("dev");
  tree.add("dev/null", special(FileType::char_device, 0666, 1, 3));
  tree.add("dev/console", special(FileType::char_device, 0600, 5, 1));
  tree.add("dev/sda", special(FileType::block_device, 0660, 8, 0));
  tree.add("dev/big-numbers", special(FileType::block_device, 0660, 259, 70000));
  tree.add("dev/initctl", special(FileType::fifo, 0600));
  tree.add("dev/log", special(FileType::socket, 0666));

  Inode ping;
  ping.mode = 0755;
  ping.content = stage::Content(pattern(9000, 8));
  // cap_net_raw+ep, VFS_CAP_REVISION_2.
  ping.xattrs["security.capability"] = std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8) +
                                       std::string(12, '\0');
  ping.xattrs["user.comment"] = "sends echo requests";
  ping.xattrs["user.large"] = std::string(600, 'v'); // does not fit in the inode
  tree.add("bin/ping", std::move(ping));
  tree.root()->xattrs["user.root-note"] = "on the root directory";

  // A POSIX ACL (user::rw-, user:1000:r--, group::r--, mask::r--, other::---) in the
  // xattr form; ext4 stores it in its own shorter form.
  const auto acl_entry = [](std::uint16_t tag, std::uint16_t permissions, std::uint32_t id) {
    std::string bytes(8, '\0');
    bytes[0] = static_cast<char>(tag & 0xff);
    bytes[1] = static_cast<char>(tag >> 8);
    bytes[2] = static_cast<char>(permissions);
    for (int shift = 0; shift < 4; ++shift)
      bytes[4 + shift] = static_cast<char>((id >> (8 * shift)) & 0xff);
    return bytes;
  };
  Inode shared;
  shared.content = stage::Content("shared with user 1000\n");
  shared.xattrs["system.posix_acl_access"] =
      std::string("\x02\x00\x00\x00", 4) + acl_entry(0x01, 6, 0xffffffff) +
      acl_entry(0x02, 4, 1000) + acl_entry(0x04, 4, 0xffffffff) + acl_entry(0x10, 4, 0xffffffff) +
      acl_entry(0x20, 0, 0xffffffff);
  tree.add("etc/acl-file", std::move(shared));

  tree.add_file("etc/" + std::string(255, 'n'), "a name of 255 bytes\n");
  std::string deep = "deep";
  for (int level = 0; level < 40; ++level)
    deep += "/level" + std::to_string(level);
  tree.add_directory(deep);
  tree.add_file(deep + "/leaf", "bottom\n");

  tree.add_directory("many");
  for (int index = 0; index < 2500; ++index)
    tree.add_file("many/file-with-a-longer-name-" + std::to_string(index),
                  "content " + std::to_string(index) + "\n");
  return tree;
}

Tree load_directory(const std::filesystem::path& directory, bool with_xattrs)
{
  namespace fs = std::filesystem;
  Tree tree;
  std::map<std::pair<dev_t, ino_t>, std::string> seen;
  // Paths relative to `directory`, built by hand: fs::relative would resolve symlinks.
  std::vector<std::string> pending{""};
  while (!pending.empty()) {
    const std::string current = pending.back();
    pending.pop_back();
    std::vector<std::string> names;
    for (const fs::directory_entry& child : fs::directory_iterator(directory / current))
      names.push_back(child.path().filename().string());
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string path = current.empty() ? name : current + "/" + name;
      const fs::path child = directory / path;
      struct stat info {};
      if (::lstat(child.c_str(), &info) != 0)
        throw Error(std::string("cannot stat: ") + std::strerror(errno), child.string());
      Inode inode;
      inode.mode = info.st_mode & 07777;
      inode.uid = info.st_uid;
      inode.gid = info.st_gid;
      if (!S_ISDIR(info.st_mode) && info.st_nlink > 1) {
        const auto [slot, first] = seen.try_emplace({info.st_dev, info.st_ino}, path);
        if (!first) {
          tree.add_hardlink(path, slot->second);
          continue;
        }
      }
      if (S_ISDIR(info.st_mode)) {
        inode.type = FileType::directory;
        pending.push_back(path);
      } else if (S_ISLNK(info.st_mode)) {
        inode.type = FileType::symlink;
        inode.target = fs::read_symlink(child).string();
      } else if (S_ISREG(info.st_mode)) {
        inode.content = stage::Content(read_file(child));
      } else {
        inode.type = S_ISCHR(info.st_mode)   ? FileType::char_device
                     : S_ISBLK(info.st_mode) ? FileType::block_device
                     : S_ISFIFO(info.st_mode) ? FileType::fifo
                                              : FileType::socket;
        inode.rdev_major = major(info.st_rdev);
        inode.rdev_minor = minor(info.st_rdev);
      }
      if (with_xattrs) {
        std::vector<char> list(65536);
        const ssize_t length = ::llistxattr(child.c_str(), list.data(), list.size());
        for (ssize_t at = 0; length > 0 && at < length;) {
          const std::string key(list.data() + at);
          at += static_cast<ssize_t>(key.size()) + 1;
          std::vector<char> value(65536);
          const ssize_t size = ::lgetxattr(child.c_str(), key.c_str(), value.data(), value.size());
          if (size >= 0)
            inode.xattrs[key] = std::string(value.data(), static_cast<std::size_t>(size));
        }
      }
      tree.add(path, std::move(inode));
    }
  }
  return tree;
}

} // namespace compose::testing
