// The newc writer: libarchive (an independent reader) reads back what it wrote; the same
// entries in any order give the same bytes; bad names are refused.
#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>

#include <string>
#include <vector>

#include "boot/cpio_writer.hpp"
#include "util/error.hpp"
#include "util/handles.hpp"

using compose::Error;
using compose::boot::CpioArchive;

namespace {

struct ReadEntry {
  std::string name;
  unsigned mode = 0;
  long long uid = -1;
  long long gid = -1;
  long long mtime = -1;
  std::string content;
  std::string link;
};

std::vector<ReadEntry> read_with_libarchive(const std::string& bytes)
{
  compose::ArchiveReader reader(archive_read_new());
  REQUIRE(archive_read_support_format_cpio(reader.get()) == ARCHIVE_OK);
  REQUIRE(archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) == ARCHIVE_OK);
  std::vector<ReadEntry> entries;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK) {
    ReadEntry read;
    read.name = archive_entry_pathname(entry);
    read.mode = archive_entry_mode(entry);
    read.uid = archive_entry_uid(entry);
    read.gid = archive_entry_gid(entry);
    read.mtime = archive_entry_mtime(entry);
    if (const char* link = archive_entry_symlink(entry))
      read.link = link;
    std::string content(read.link.empty() ? static_cast<std::size_t>(archive_entry_size(entry))
                                          : 0,
                        '\0');
    if (!content.empty())
      REQUIRE(archive_read_data(reader.get(), content.data(), content.size()) ==
              static_cast<la_ssize_t>(content.size()));
    read.content = content;
    entries.push_back(read);
  }
  CHECK(archive_format(reader.get()) == ARCHIVE_FORMAT_CPIO_SVR4_NOCRC);
  return entries;
}

} // namespace

TEST_SUITE("boot::cpio_writer")
{
  TEST_CASE("libarchive reads back names, types, modes, owners, contents and links")
  {
    CpioArchive archive(1700000000);
    archive.add_directory("bin");
    archive.add_file("bin/busybox", std::string("\x7f" "ELF\0binary", 10), 0755);
    archive.add_symlink("bin/sh", "busybox");
    archive.add_file("init", "#!/bin/sh\n", 0700);
    archive.add_file("empty", "");
    archive.add_file(std::string(300, 'n'), "a long name");
    const std::vector<ReadEntry> entries = read_with_libarchive(archive.bytes());
    REQUIRE(entries.size() == 6);
    CHECK(entries[0].name == "bin");
    CHECK(entries[0].mode == (S_IFDIR | 0755));
    CHECK(entries[1].name == "bin/busybox");
    CHECK(entries[1].mode == (S_IFREG | 0755));
    CHECK(entries[1].content == std::string("\x7f" "ELF\0binary", 10));
    CHECK(entries[2].name == "bin/sh");
    CHECK(entries[2].mode == (S_IFLNK | 0777));
    CHECK(entries[2].link == "busybox");
    CHECK(entries[3].name == "empty");
    CHECK(entries[3].content.empty());
    CHECK(entries[4].name == "init");
    CHECK(entries[4].mode == (S_IFREG | 0700));
    CHECK(entries[4].content == "#!/bin/sh\n");
    CHECK(entries[5].name == std::string(300, 'n'));
    for (const ReadEntry& entry : entries) {
      CHECK(entry.uid == 0);
      CHECK(entry.gid == 0);
      CHECK(entry.mtime == 1700000000);
    }
  }

  TEST_CASE("the same entries added in another order give the same bytes")
  {
    CpioArchive first;
    first.add_directory("etc");
    first.add_file("etc/a", "1");
    first.add_file("etc/b", "22");
    first.add_symlink("link", "etc/a");
    CpioArchive second;
    second.add_symlink("link", "etc/a");
    second.add_directory("etc");
    second.add_file("etc/b", "22");
    second.add_file("etc/a", "1");
    CHECK(first.bytes() == second.bytes());
    CHECK(first.bytes().size() % 4 == 0);
    CHECK(first.bytes().find("TRAILER!!!") != std::string::npos);
  }

  TEST_CASE("a header is 110 ASCII bytes and the name is padded to four")
  {
    CpioArchive archive;
    archive.add_file("ab", "xyz");
    const std::string bytes = archive.bytes();
    // 110 header + "ab\0" = 113, padded to 116; data 3, padded to 4.
    CHECK(bytes.substr(0, 6) == "070701");
    CHECK(bytes.substr(110, 3) == std::string("ab\0", 3));
    CHECK(bytes.substr(116, 3) == "xyz");
    CHECK(bytes.substr(120, 6) == "070701");
  }

  TEST_CASE("bad names are refused")
  {
    struct Case {
      const char* name;
      const char* message;
    };
    const Case cases[] = {
        {"/etc", "cpio entry name '/etc' is not a relative path"},
        {"etc/", "cpio entry name 'etc/' is not a relative path"},
        {"", "cpio entry name '' is not a relative path"},
        {"a/../b", "cpio entry name 'a/../b' has an empty, '.' or '..' component"},
        {"a//b", "cpio entry name 'a//b' has an empty, '.' or '..' component"},
        {"missing/file", "cpio entry 'missing/file' has no parent directory 'missing'"},
        {"file/below", "cpio entry 'file/below' has no parent directory 'file'"},
        {"a", "cpio entry 'a' was added twice"},
    };
    for (const Case& bad : cases) {
      SUBCASE(bad.name)
      {
        CpioArchive archive;
        archive.add_directory("a");
        archive.add_file("file", "x");
        CHECK_THROWS_WITH_AS(archive.add_file(bad.name, "x"), doctest::Contains(bad.message),
                             Error);
      }
    }
  }
}
