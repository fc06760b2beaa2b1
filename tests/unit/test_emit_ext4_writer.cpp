// ext4 writer: the image read back equals the tree, e2fsck and debugfs accept it, it is
// byte-identical on rebuild, and bad input fails cleanly without leaving a file.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "emit/ext4/ext4_inspect.hpp"
#include "emit/ext4/ext4_writer.hpp"
#include "tree_fixtures.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

using compose::Error;
using namespace compose::emit;
using compose::stage::FileType;
using compose::stage::Tree;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t k_epoch = 1700000000;

Ext4Options options(std::vector<std::string> features = {})
{
  Ext4Options result;
  result.epoch = k_epoch;
  result.seed = "sha256-of-the-lock-file";
  result.spec.headroom_bytes = 8 << 20;
  result.spec.headroom_percent = 10;
  result.spec.label = "testroot";
  result.spec.features = std::move(features);
  return result;
}

const Tree& shared_tree()
{
  static const Tree tree = compose::testing::representative_tree();
  return tree;
}

struct Command {
  int status = -1;
  std::string output;
};

// Runs a shell command (stderr joined to stdout).
Command run(const std::string& command)
{
  Command result;
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  while (const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), pipe))
    result.output.append(buffer.data(), got);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

bool have_tool(const std::string& name)
{
  return run("command -v " + name + " || test -x /usr/sbin/" + name + " || test -x /sbin/" +
             name)
             .status == 0;
}

std::string tool(const std::string& name)
{
  for (const char* directory : {"/usr/sbin/", "/sbin/"})
    if (fs::exists(std::string(directory) + name))
      return directory + name;
  return name;
}

// Every entry of the tree must come back with the same metadata and content.
void check_equal(const Tree& tree, const Ext4Report& report)
{
  std::map<std::string, const Ext4Entry*> by_path;
  for (const Ext4Entry& entry : report.entries)
    by_path[entry.path] = &entry;
  std::size_t compared = 0;
  tree.walk([&](const Tree::Visit& visit) {
    INFO("path /" << visit.path);
    const auto found = by_path.find(visit.path);
    REQUIRE(found != by_path.end());
    const Ext4Entry& entry = *found->second;
    const compose::stage::Inode& inode = visit.inode;
    CHECK(entry.type == inode.type);
    CHECK(entry.mode == (inode.mode & 07777));
    CHECK(entry.uid == inode.uid);
    CHECK(entry.gid == inode.gid);
    CHECK(entry.xattrs == inode.xattrs);
    switch (inode.type) {
    case FileType::regular:
      CHECK(entry.size == inode.content.size());
      CHECK(entry.sha256 == inode.content.sha256());
      CHECK(entry.links == visit.link_count);
      break;
    case FileType::symlink: CHECK(entry.target == inode.target); break;
    case FileType::char_device:
    case FileType::block_device:
      CHECK(entry.rdev_major == inode.rdev_major);
      CHECK(entry.rdev_minor == inode.rdev_minor);
      break;
    default: break;
    }
    ++compared;
  });
  // The image holds exactly the tree plus lost+found.
  CHECK(report.entries.size() == compared + 1);
  CHECK(by_path.count("lost+found") == 1);
}

} // namespace

TEST_SUITE("emit::ext4_writer")
{
  TEST_CASE("the image reads back equal to the tree and passes its own checks")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    const fs::path image = directory.path() / "root.ext4";
    const Ext4Result result = write_ext4(shared_tree(), options(), image);
    CHECK(result.size_bytes == fs::file_size(image));
    CHECK(result.size_bytes % (1 << 20) == 0);
    CHECK(result.sha256 == compose::sha256_file_hex(image));

    const Ext4Report report = inspect_ext4(image);
    CHECK(report.problems.empty());
    for (const std::string& problem : report.problems)
      MESSAGE(problem);
    CHECK(report.label == "testroot");
    CHECK(report.blocks - report.free_blocks == result.blocks);
    CHECK(report.inodes - report.free_inodes == result.inodes);
    check_equal(shared_tree(), report);

    // The sparse file's hole and the all-zero file take no blocks in the image file.
    struct stat info {};
    REQUIRE(::stat(image.c_str(), &info) == 0);
    CHECK(static_cast<std::uint64_t>(info.st_blocks) * 512 < result.size_bytes);
  }

  TEST_CASE("e2fsck finds nothing to fix and debugfs sees the entries")
  {
    if (!have_tool("e2fsck") || !have_tool("debugfs")) {
      MESSAGE("e2fsck/debugfs not installed: skipped");
      return;
    }
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    const fs::path image = directory.path() / "root.ext4";
    write_ext4(shared_tree(), options(), image);

    const Command fsck = run(tool("e2fsck") + " -fn " + image.string());
    INFO(fsck.output);
    CHECK(fsck.status == 0);
    CHECK(fsck.output.find("Fix?") == std::string::npos);

    const std::string debugfs = tool("debugfs") + " -R ";
    const Command ping = run(debugfs + "'ea_list /bin/ping' " + image.string());
    CHECK(ping.output.find("security.capability") != std::string::npos);
    CHECK(ping.output.find("user.comment (19) = \"sends echo requests\"") != std::string::npos);
    const Command dev = run(debugfs + "'ls -l /dev' " + image.string());
    CHECK(dev.output.find("null") != std::string::npos);
    const Command su = run(debugfs + "'stat /bin/su' " + image.string());
    CHECK(su.output.find("Mode:  04755") != std::string::npos);
    CHECK(su.output.find("ctime: 0x6553f100") != std::string::npos);
    const Command ls = run(debugfs + "'stat /bin/ls' " + image.string());
    CHECK(ls.output.find("Links: 3") != std::string::npos);
    const Command link = run(debugfs + "'stat /bin/long' " + image.string());
    CHECK(link.output.find("Type: symlink") != std::string::npos);
    const Command header = run(tool("dumpe2fs") + " -h " + image.string());
    CHECK(header.output.find("Filesystem volume name:   testroot") != std::string::npos);
    CHECK(header.output.find("metadata_csum") != std::string::npos);
    CHECK(header.output.find("has_journal") != std::string::npos);
  }

  TEST_CASE("rebuilding gives the same bytes whatever the cwd, TZ, umask and time")
  {
    const compose::TempPath first_dir = compose::make_temp_directory("compose-ext4-a-");
    const compose::TempPath second_dir = compose::make_temp_directory("compose-ext4-b-");
    const Ext4Result first = write_ext4(shared_tree(), options(), first_dir.path() / "a.ext4");

    const fs::path cwd = fs::current_path();
    const char* old_tz = std::getenv("TZ");
    const std::string saved_tz = old_tz ? old_tz : "";
    const mode_t old_umask = ::umask(0077);
    ::setenv("TZ", "Pacific/Kiritimati", 1);
    fs::current_path(second_dir.path());
    const Ext4Result second = write_ext4(shared_tree(), options(), "b.ext4");
    fs::current_path(cwd);
    ::umask(old_umask);
    if (old_tz)
      ::setenv("TZ", saved_tz.c_str(), 1);
    else
      ::unsetenv("TZ");

    CHECK(first.sha256 == second.sha256);
    CHECK(compose::read_file(first_dir.path() / "a.ext4") ==
          compose::read_file(second_dir.path() / "b.ext4"));

    // A different input digest changes the UUID (and with it every checksum).
    Ext4Options other = options();
    other.seed = "another-lock";
    const Ext4Result third = write_ext4(shared_tree(), other, first_dir.path() / "c.ext4");
    CHECK(third.sha256 != first.sha256);
    CHECK(inspect_ext4(first_dir.path() / "a.ext4").uuid !=
          inspect_ext4(first_dir.path() / "c.ext4").uuid);
  }

  TEST_CASE("feature sets other than the default also pass e2fsck")
  {
    const std::vector<std::vector<std::string>> sets{
        {"^has_journal"},
        {"^metadata_csum", "^resize_inode"},
        {"^extent", "^64bit", "^huge_file", "^flex_bg"},
        {"metadata_csum_seed"},
    };
    for (const std::vector<std::string>& features : sets) {
      INFO("features " << features.front());
      const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
      const fs::path image = directory.path() / "root.ext4";
      write_ext4(shared_tree(), options(features), image);
      const Ext4Report report = inspect_ext4(image);
      CHECK(report.problems.empty());
      check_equal(shared_tree(), report);
      if (have_tool("e2fsck")) {
        const Command fsck = run(tool("e2fsck") + " -fn " + image.string());
        INFO(fsck.output);
        CHECK(fsck.status == 0);
      }
    }
  }

  TEST_CASE("times past 2038 use the ext4 epoch bits")
  {
    if (!have_tool("debugfs") || !have_tool("e2fsck")) {
      MESSAGE("e2fsck/debugfs not installed: skipped");
      return;
    }
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    const fs::path image = directory.path() / "root.ext4";
    Ext4Options late = options();
    late.epoch = 3000000000; // 2065
    write_ext4(shared_tree(), late, image);
    CHECK(run(tool("e2fsck") + " -fn " + image.string()).status == 0);
    const Command stat = run(tool("debugfs") + " -R 'stat /etc/hostname' " + image.string());
    INFO(stat.output);
    CHECK(stat.output.find("mtime: 0xb2d05e00:00000001") != std::string::npos);
    CHECK(stat.output.find("crtime: 0xb2d05e00:00000001") != std::string::npos);
  }

  TEST_CASE("a fixed size is used as given")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    const fs::path image = directory.path() / "root.ext4";
    Ext4Options fixed = options();
    fixed.spec.size_bytes = 64ull << 20;
    const Ext4Result result = write_ext4(shared_tree(), fixed, image);
    CHECK(result.size_bytes == 64ull << 20);
    CHECK(fs::file_size(image) == 64ull << 20);
    CHECK(inspect_ext4(image).problems.empty());
  }

  TEST_CASE("bad input fails with a clear message and leaves nothing behind")
  {
    struct Case {
      const char* name;
      std::function<void(Tree&, Ext4Options&)> change;
      const char* message;
    };
    const std::vector<Case> cases{
        {"size too small",
         [](Tree&, Ext4Options& o) { o.spec.size_bytes = 8ull << 20; },
         "image size 8M is too small for 16M of content (need at least 20M)"},
        {"unknown feature", [](Tree&, Ext4Options& o) { o.spec.features = {"^journal"}; },
         "unknown ext4 feature '^journal'"},
        {"64bit without extents", [](Tree&, Ext4Options& o) { o.spec.features = {"^extent"}; },
         "ext4 feature 64bit needs extent"},
        {"label too long", [](Tree&, Ext4Options& o) { o.spec.label = "seventeen-bytes!!"; },
         "ext4 label 'seventeen-bytes!!' is longer than 16 bytes"},
        {"epoch zero", [](Tree&, Ext4Options& o) { o.epoch = 0; }, "build time 0 is outside"},
        {"name too long",
         [](Tree& t, Ext4Options&) { t.add_file("etc/" + std::string(256, 'n'), "x"); },
         "name is 256 bytes long; ext4 names hold at most 255 bytes"},
        {"xattr too large",
         [](Tree& t, Ext4Options&) {
           compose::stage::Inode inode;
           inode.xattrs["user.huge"] = std::string(5000, 'h');
           t.add("etc/huge-xattr", std::move(inode));
         },
         "xattrs take 5056 bytes; ext4 without ea_inode holds at most one 4096-byte block"},
        {"xattr namespace",
         [](Tree& t, Ext4Options&) {
           compose::stage::Inode inode;
           inode.xattrs["os2.name"] = "x";
           t.add("etc/odd-xattr", std::move(inode));
         },
         "xattr 'os2.name' is in no namespace ext4 stores"},
        {"device number",
         [](Tree& t, Ext4Options&) {
           compose::stage::Inode inode;
           inode.type = FileType::char_device;
           inode.rdev_major = 5000;
           t.add("dev-huge", std::move(inode));
         },
         "device number 5000:0 does not fit ext4"},
    };
    for (const Case& test : cases) {
      SUBCASE(test.name)
      {
        Tree tree = compose::testing::representative_tree();
        Ext4Options bad = options();
        test.change(tree, bad);
        const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
        CHECK_THROWS_WITH_AS(write_ext4(tree, bad, directory.path() / "root.ext4"),
                             doctest::Contains(test.message), Error);
        CHECK(fs::is_empty(directory.path()));
      }
    }
  }

  TEST_CASE("the error for an unknown feature lists the supported ones")
  {
    Ext4Options bad = options({"casefold"});
    bad.spec.where = {"recipe.toml", 12, 3};
    const compose::TempPath directory = compose::make_temp_directory("compose-ext4-");
    try {
      write_ext4(shared_tree(), bad, directory.path() / "root.ext4");
      FAIL("no error");
    } catch (const Error& error) {
      CHECK(error.where() == "recipe.toml:12:3");
      CHECK(error.hint().find("metadata_csum") != std::string::npos);
      CHECK(error.hint().find("has_journal") != std::string::npos);
    }
  }
}
