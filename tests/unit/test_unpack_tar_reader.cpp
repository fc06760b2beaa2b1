// The tar reader, in memory and over a file: PAX keys and xattrs, long names, fragments, damaged input.
#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "tar_builder.hpp"
#include "unpack/tar_reader.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/handles.hpp"
#include "util/hash.hpp"

using compose::Error;
using compose::unpack::read_tar;
using compose::unpack::TarEntry;

namespace {

// A pax archive written by libarchive (an independent writer) into memory.
std::string libarchive_tar()
{
  compose::ArchiveWriter writer(archive_write_new());
  REQUIRE(archive_write_set_format_pax_restricted(writer.get()) == ARCHIVE_OK);
  std::vector<char> buffer(1 << 16);
  std::size_t used = 0;
  REQUIRE(archive_write_open_memory(writer.get(), buffer.data(), buffer.size(), &used) ==
          ARCHIVE_OK);
  const auto add = [&](const std::string& name, mode_t type, std::string content,
                       const std::string& link = {}) {
    compose::ArchiveEntry entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), type);
    archive_entry_set_perm(entry.get(), type == AE_IFDIR ? 0755 : 04755);
    archive_entry_set_uname(entry.get(), "root");
    archive_entry_set_gname(entry.get(), "shadow");
    archive_entry_set_mtime(entry.get(), 1700000000, 0);
    if (type == AE_IFLNK)
      archive_entry_set_symlink(entry.get(), link.c_str());
    if (type == AE_IFREG) {
      archive_entry_set_size(entry.get(), static_cast<la_int64_t>(content.size()));
      if (name.starts_with("usr/bin/ping"))
        archive_entry_xattr_add_entry(entry.get(), "security.capability", "\x01\x02\0\x03", 4);
    }
    REQUIRE(archive_write_header(writer.get(), entry.get()) == ARCHIVE_OK);
    if (!content.empty())
      archive_write_data(writer.get(), content.data(), content.size());
  };
  add("usr/", AE_IFDIR, "");
  add("usr/bin/ping", AE_IFREG, "binary");
  add("usr/bin/pong", AE_IFLNK, "", "ping");
  add(std::string(150, 'n'), AE_IFREG, "long");
  REQUIRE(archive_write_close(writer.get()) == ARCHIVE_OK);
  return std::string(buffer.data(), used);
}

std::vector<TarEntry> entries_of(std::string_view bytes)
{
  std::vector<TarEntry> entries;
  read_tar(bytes, "test.tar", [&](const TarEntry& entry) { entries.push_back(entry); });
  return entries;
}

} // namespace

TEST_SUITE("unpack::read_tar")
{
  TEST_CASE("reads names, types, modes, owners, xattrs and long names")
  {
    const std::string tar = libarchive_tar();
    const std::vector<TarEntry> entries = entries_of(tar);
    REQUIRE(entries.size() == 4);
    CHECK(entries[0].name == "usr/");
    CHECK(entries[0].type == '5');
    CHECK(entries[1].name == "usr/bin/ping");
    CHECK(entries[1].content == "binary");
    CHECK(entries[1].mode == 04755);
    CHECK(entries[1].gname == "shadow");
    CHECK(entries[1].mtime == 1700000000);
    CHECK(entries[1].xattrs.at("security.capability") == std::string("\x01\x02\0\x03", 4));
    CHECK(entries[2].type == '2');
    CHECK(entries[2].linkname == "ping");
    CHECK(entries[3].name == std::string(150, 'n'));
    CHECK(entries[3].content == "long");
  }

  TEST_CASE("a fragment without end blocks ends at the end of the input")
  {
    const std::string tar = libarchive_tar();
    // The first entry (a directory) is one header block.
    CHECK(entries_of(std::string_view(tar).substr(0, 512)).size() == 1);
  }

  TEST_CASE("damaged archives name the place")
  {
    const std::string tar = libarchive_tar();
    struct Case {
      const char* name;
      std::string bytes;
      const char* message;
    };
    std::string flipped = tar;
    flipped[10] ^= 1;
    std::vector<Case> cases{
        {"header checksum", flipped, "tar header checksum mismatch at byte 0"},
        {"truncated content", tar.substr(0, 512 * 4 + 3), "is truncated"},
        {"truncated header", tar.substr(0, 700), "tar header at byte 512 is truncated"},
    };
    for (const Case& test : cases) {
      SUBCASE(test.name)
      {
        CHECK_THROWS_WITH_AS(entries_of(test.bytes), doctest::Contains(test.message), Error);
      }
    }
  }
}

TEST_SUITE("unpack::read_tar_file")
{
  // Thousands of small files and a few large ones, so that headers fall everywhere in the
  // reader's window and contents are skipped across it.
  TEST_CASE("a file gives the entries read_tar gives, contents by place, and its digest")
  {
    std::vector<compose::testing::TarItem> items;
    for (int i = 0; i < 3000; ++i) {
      const auto size = static_cast<std::size_t>(i % 700);
      const auto letter = static_cast<char>('a' + i % 26);
      items.push_back(compose::testing::file_item("f" + std::to_string(i), std::string(size, letter)));
    }
    items.push_back(compose::testing::file_item("big", std::string(3 << 20, 'b')));
    items.push_back(compose::testing::file_item(std::string(150, 'n'), "long name"));
    std::string tar;
    for (const auto& item : items)
      tar += compose::testing::tar_item(item);
    tar += compose::testing::tar_end(tar.size());
    tar += "trailing bytes after the end blocks";

    std::vector<TarEntry> expected;
    read_tar(tar, "memory", [&](const TarEntry& entry) { expected.push_back(entry); });
    REQUIRE(expected.size() == items.size());

    const compose::TempPath directory = compose::make_temp_directory("compose-tar-");
    const std::filesystem::path path = directory.path() / "data.tar";
    std::ofstream(path, std::ios::binary) << tar;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    compose::Hasher hasher(compose::DigestAlgorithm::sha256);
    std::vector<TarEntry> read;
    compose::unpack::read_tar_file(fd, tar.size(), "file", &hasher,
                                   [&](const TarEntry& entry) { read.push_back(entry); });
    ::close(fd);
    CHECK(hasher.finish_hex() == compose::sha256_hex(tar));
    REQUIRE(read.size() == expected.size());
    for (std::size_t i = 0; i < read.size(); ++i) {
      CAPTURE(expected[i].name);
      CHECK(read[i].name == expected[i].name);
      CHECK(read[i].content.empty());
      CHECK(read[i].size == expected[i].content.size());
      CHECK(tar.substr(read[i].content_offset, read[i].size) == expected[i].content);
    }
  }

  TEST_CASE("a file shorter than it was said to be is an error")
  {
    std::string tar = compose::testing::tar_item(compose::testing::file_item("a", std::string(5000, 'a')));
    const compose::TempPath directory = compose::make_temp_directory("compose-tar-");
    const std::filesystem::path path = directory.path() / "data.tar";
    std::ofstream(path, std::ios::binary) << tar.substr(0, 2048);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    CHECK_THROWS_WITH_AS(compose::unpack::read_tar_file(fd, tar.size() + 1024, "file", nullptr,
                                                        [](const TarEntry&) {}),
                         doctest::Contains("file ends at byte 2048"), Error);
    ::close(fd);
  }
}
