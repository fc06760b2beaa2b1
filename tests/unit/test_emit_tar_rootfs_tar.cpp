// Rootfs tar: read back with libarchive, every field, deterministic bytes.
#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <map>

#include "emit/tar/rootfs_tar.hpp"
#include "util/handles.hpp"

using namespace compose;
using namespace compose::stage;

namespace {

Tree sample_tree()
{
  Tree tree;
  tree.add_directory("usr/bin", 0755);
  Inode ping;
  ping.mode = 04755;
  ping.uid = 0;
  ping.gid = 999;
  ping.content = Content("ELF ping");
  ping.xattrs["security.capability"] = std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8) +
                                       std::string(12, '\0');
  tree.add("usr/bin/ping", ping);
  tree.add_hardlink("usr/bin/ping6", "usr/bin/ping");
  tree.add_symlink("bin", "usr/bin");
  tree.add_directory("tmp", 01777);
  Inode null;
  null.type = FileType::char_device;
  null.mode = 0666;
  null.rdev_major = 1;
  null.rdev_minor = 3;
  tree.add("dev/null", null, Existing::replace, ParentSymlinks::reject, true);
  Inode fifo;
  fifo.type = FileType::fifo;
  tree.add("run/initctl", fifo, Existing::replace, ParentSymlinks::reject, true);
  tree.add_file(std::string(120, 'l') + "/" + std::string(150, 'n'), "long", 0600, 1000, 1000);
  tree.add_file("usr/NetLock_F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny.crt", "utf-8 name");
  tree.add_file("usr/latin1-\xe9.txt", "not utf-8");
  return tree;
}

std::string tar_bytes(const Tree& tree, std::int64_t epoch)
{
  std::string out;
  emit::write_tar_stream(tree, emit::TarOptions{epoch}, [&](std::string_view b) { out += b; });
  return out;
}

} // namespace

TEST_SUITE("emit::write_tar_stream")
{
  TEST_CASE("every entry reads back with its metadata, in sorted depth-first order")
  {
    const std::string bytes = tar_bytes(sample_tree(), 1700000000);
    ArchiveReader reader(archive_read_new());
    archive_read_support_format_tar(reader.get());
    REQUIRE(archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) == ARCHIVE_OK);
    std::vector<std::string> paths;
    archive_entry* entry = nullptr;
    while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
      const std::string path = archive_entry_pathname(entry);
      paths.push_back(path);
      CHECK(archive_entry_mtime(entry) == 1700000000);
      CHECK_FALSE(archive_entry_atime_is_set(entry));
      const char* uname = archive_entry_uname(entry);
      CHECK((uname == nullptr || *uname == '\0'));
      if (path == "usr/bin/ping") {
        CHECK((archive_entry_mode(entry) & 07777) == 04755);
        CHECK(archive_entry_gid(entry) == 999);
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        REQUIRE(archive_entry_xattr_reset(entry) == 1);
        archive_entry_xattr_next(entry, &name, &value, &size);
        CHECK(std::string(name) == "security.capability");
        CHECK(size == 20);
      }
      if (path == "usr/bin/ping6")
        CHECK(std::string(archive_entry_hardlink(entry)) == "usr/bin/ping");
      if (path == "bin")
        CHECK(std::string(archive_entry_symlink(entry)) == "usr/bin");
      if (path == "dev/null") {
        CHECK(archive_entry_filetype(entry) == AE_IFCHR);
        CHECK(archive_entry_rdevminor(entry) == 3);
      }
      if (path == "tmp/")
        CHECK((archive_entry_mode(entry) & 07777) == 01777);
      if (path.size() > 200)
        CHECK(archive_entry_uid(entry) == 1000);
    }
    CHECK(paths.size() == 14);
    CHECK(paths[0] == "bin");
    CHECK(paths[1] == "dev/");
    CHECK(paths[2] == "dev/null");
    CHECK(paths.back() == "usr/latin1-\xe9.txt");
    CHECK(std::find(paths.begin(), paths.end(),
                    "usr/NetLock_F\xc5\x91tan\xc3\xbas\xc3\xadtv\xc3\xa1ny.crt") != paths.end());
  }

  TEST_CASE("the same tree gives the same bytes; another epoch gives other bytes")
  {
    CHECK(tar_bytes(sample_tree(), 1) == tar_bytes(sample_tree(), 1));
    CHECK(tar_bytes(sample_tree(), 1) != tar_bytes(sample_tree(), 2));
  }

  TEST_CASE("PAX records carry only SCHILY xattrs, never atime, ctime or LIBARCHIVE names")
  {
    const std::string bytes = tar_bytes(sample_tree(), 5);
    CHECK(bytes.find("SCHILY.xattr.security.capability") != std::string::npos);
    CHECK(bytes.find("LIBARCHIVE") == std::string::npos);
    CHECK(bytes.find("atime") == std::string::npos);
    CHECK(bytes.find("ctime") == std::string::npos);
  }
}
