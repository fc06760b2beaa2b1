// ext4 inspection: the listing format, and damage found by the checks.
#include <doctest/doctest.h>

#include <ext2fs/ext2fs.h>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "emit/ext4/ext4_inspect.hpp"
#include "emit/ext4/ext4_writer.hpp"
#include "tree_fixtures.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using compose::Error;
using namespace compose::emit;
namespace fs = std::filesystem;

namespace {

Ext4Options options()
{
  Ext4Options result;
  result.epoch = 1700000000;
  result.seed = "inspect";
  result.spec.headroom_bytes = 4 << 20;
  result.spec.label = "listing";
  return result;
}

// e2fsck -fn on `image`: its exit status and output ("" and -1 when e2fsck is missing).
std::pair<int, std::string> e2fsck_readonly(const fs::path& image)
{
  std::string output;
  std::FILE* pipe = ::popen(("PATH=$PATH:/usr/sbin:/sbin e2fsck -fn '" + image.string() +
                             "' 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (const std::size_t got = std::fread(buffer, 1, sizeof buffer, pipe))
    output.append(buffer, got);
  const int status = ::pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return {code == 127 ? -1 : code, output};
}

// Zeroes the last `from_end_bytes` bytes of the last group's inode (or block) bitmap block.
void clear_bitmap_bits(const fs::path& image, bool inode_bitmap, unsigned from_end_bytes)
{
  ext2_filsys raw = nullptr;
  REQUIRE(ext2fs_open2(image.c_str(), nullptr, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &raw) == 0);
  const dgrp_t group = raw->group_desc_count - 1;
  const std::uint64_t block = inode_bitmap ? ext2fs_inode_bitmap_loc(raw, group)
                                           : ext2fs_block_bitmap_loc(raw, group);
  const std::uint64_t offset = (block + 1) * raw->blocksize - from_end_bytes;
  ext2fs_free(raw);
  std::FILE* file = std::fopen(image.c_str(), "r+b");
  REQUIRE(file != nullptr);
  std::fseek(file, static_cast<long>(offset), SEEK_SET);
  for (unsigned i = 0; i < from_end_bytes; ++i)
    std::fputc(0, file);
  std::fclose(file);
}

} // namespace

TEST_SUITE("emit::ext4_inspect")
{
  TEST_CASE("the listing shows type, mode, owner, size, target, device, links and xattrs")
  {
    compose::stage::Tree tree;
    tree.add_directory("etc");
    tree.add_file("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644);
    tree.add_file("bin-su", "x", 04755, 0, 0);
    tree.add_hardlink("su-again", "bin-su");
    tree.add_symlink("sh", "busybox");
    compose::stage::Inode null;
    null.type = compose::stage::FileType::char_device;
    null.mode = 0666;
    null.rdev_major = 1;
    null.rdev_minor = 3;
    null.xattrs["user.note"] = "ab";
    tree.add("null", std::move(null));
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    const fs::path image = directory.path() / "small.ext4";
    write_ext4(tree, options(), image);
    const std::string text = format_report(inspect_ext4(image));
    INFO(text);
    CHECK(text.starts_with("label 'listing', uuid "));
    CHECK(text.find("\nfeatures 64bit dir_index") != std::string::npos);
    CHECK(text.find("\ndrwxr-xr-x 0:0 4096 /etc\n") != std::string::npos);
    CHECK(text.find("\n-rw-r--r-- 0:0 26 /etc/passwd sha256:") != std::string::npos);
    CHECK(text.find("\n-rwsr-xr-x 0:0 1 /bin-su sha256:") != std::string::npos);
    CHECK(text.find(" links 2\n") != std::string::npos);
    CHECK(text.find("\nlrwxrwxrwx 0:0 7 /sh -> busybox\n") != std::string::npos);
    CHECK(text.find("\ncrw-rw-rw- 0:0 0 /null device 1:3 xattr user.note=6162\n") !=
          std::string::npos);
    CHECK(text.find("\ndrwx------ 0:0 16384 /lost+found\n") != std::string::npos);
    CHECK(text.find("problem") == std::string::npos);
  }

  TEST_CASE("a file that is not ext4 cannot be opened")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    const fs::path image = directory.path() / "not.ext4";
    compose::write_file_atomic(image, std::string(1 << 20, 'x'));
    CHECK_THROWS_WITH_AS(inspect_ext4(image), doctest::Contains("cannot open the ext4 image"),
                         Error);
  }

  TEST_CASE("inspect reports a damaged inode")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    const fs::path image = directory.path() / "root.ext4";
    write_ext4(compose::testing::representative_tree(), options(), image);
    std::uint32_t ino = 0;
    for (const Ext4Entry& entry : inspect_ext4(image).entries)
      if (entry.path == "etc/hostname")
        ino = entry.inode;
    REQUIRE(ino != 0);
    {
      // Find the inode in its table and flip a bit of its mode.
      ext2_filsys raw = nullptr;
      REQUIRE(ext2fs_open2(image.c_str(), nullptr, 0, 0, 0, unix_io_manager, &raw) == 0);
      const std::uint32_t per_group = raw->super->s_inodes_per_group;
      const std::uint64_t table = ext2fs_inode_table_loc(raw, (ino - 1) / per_group);
      const std::uint64_t offset =
          table * raw->blocksize + ((ino - 1) % per_group) * EXT2_INODE_SIZE(raw->super);
      ext2fs_free(raw);
      std::FILE* file = std::fopen(image.c_str(), "r+b");
      REQUIRE(file != nullptr);
      std::fseek(file, static_cast<long>(offset), SEEK_SET);
      const int byte = std::fgetc(file);
      std::fseek(file, static_cast<long>(offset), SEEK_SET);
      std::fputc(byte ^ 0x01, file);
      std::fclose(file);
    }
    const Ext4Report report = inspect_ext4(image);
    REQUIRE_FALSE(report.problems.empty());
    CHECK(report.problems.front().find("inode " + std::to_string(ino)) != std::string::npos);
    CHECK(format_report(report).find("problem: inode " + std::to_string(ino)) !=
          std::string::npos);
  }

  TEST_CASE("cleared padding bits at the end of a bitmap are reported, as e2fsck -fn does")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    const fs::path clean = directory.path() / "clean.ext4";
    write_ext4(compose::testing::representative_tree(), options(), clean);
    REQUIRE(inspect_ext4(clean).problems.empty());
    const auto [clean_status, clean_output] = e2fsck_readonly(clean);
    if (clean_status != -1)
      CHECK_MESSAGE(clean_status == 0, clean_output);

    for (const bool inode_bitmap : {true, false}) {
      const std::string which = inode_bitmap ? "inode" : "block";
      CAPTURE(which);
      const fs::path image = directory.path() / (which + ".ext4");
      fs::copy_file(clean, image);
      // The last 16 bytes of the bitmap block are padding: the last group never fills them.
      clear_bitmap_bits(image, inode_bitmap, 16);
      const Ext4Report report = inspect_ext4(image);
      const std::string problem = "padding at end of " + which + " bitmap is not set";
      bool found = false;
      for (const std::string& text : report.problems)
        found = found || text.find(problem) != std::string::npos;
      CHECK_MESSAGE(found, format_report(report));
      const auto [status, output] = e2fsck_readonly(image);
      if (status == -1) {
        MESSAGE("e2fsck not installed: the oracle half is skipped");
        continue;
      }
      CHECK(status == 4);
      CHECK_MESSAGE(output.find("Padding at end of " + which + " bitmap is not set") !=
                        std::string::npos,
                    output);
    }
  }

  TEST_CASE("an image shorter than its superblock says is refused before its bitmaps are read")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    const fs::path image = directory.path() / "cut.ext4";
    write_ext4(compose::testing::representative_tree(), options(), image);
    fs::resize_file(image, fs::file_size(image) / 2);
    CHECK_THROWS_WITH_AS(inspect_ext4(image), doctest::Contains("blocks of 4096 bytes, the image holds"),
                         Error);
  }
}
