// Unpacking data.tar into the Tree as dpkg does: merged-/usr parents, shared directories,
// owners from the staged passwd, hard links, modes, file conflicts and Replaces.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "deb_builder.hpp"
#include "repo/deb/relation.hpp"
#include "unpack/deb/unpacker.hpp"
#include "util/error.hpp"

using compose::Error;
using compose::stage::FileType;
using compose::stage::Tree;
using namespace compose::unpack::deb;
namespace test = compose::test;
namespace repo = compose::repo::deb;

namespace {

constexpr std::int64_t k_epoch = 1234567890;

repo::Package make_package(const std::string& name, const std::string& version,
                           const std::string& replaces = {})
{
  repo::Package package;
  package.name = name;
  package.version = version;
  package.architecture = "amd64";
  if (!replaces.empty())
    for (const repo::RelationGroup& group :
         repo::parse_relations(replaces, repo::RelationKind::conflicts, name + ": Replaces"))
      package.replaces.push_back(group.front());
  return package;
}

DebArchive archive_of(std::vector<test::DebEntry> data, const std::string& name = "pkg")
{
  test::DebSpec spec;
  spec.control = test::deb_control(name, "1.0");
  spec.data = std::move(data);
  return read_deb(test::make_deb(spec), name + ".deb");
}

// bin, sbin, lib, lib64 -> usr/…, as the installer creates them before unpacking.
void merge_usr(Tree& tree)
{
  for (const char* name : {"bin", "sbin", "lib", "lib64"}) {
    tree.add_directory(std::string("usr/") + name);
    tree.add_symlink(name, std::string("usr/") + name);
  }
}

std::string content_of(const Tree& tree, const std::string& path)
{
  const auto inode = tree.find(path);
  REQUIRE(inode);
  return inode->content.read();
}

} // namespace

TEST_SUITE("unpack::deb::unpacker")
{
  TEST_CASE("entries land with their modes and the epoch as mtime and the .list paths in tar order")
  {
    Tree tree;
    Unpacker unpacker(tree, k_epoch);
    const repo::Package package = make_package("hello", "1.0");
    test::DebEntry tool = test::deb_file("./usr/bin/hello", "#!/bin/sh\n", 0755);
    tool.xattrs["user.comment"] = std::string("a\0b", 3);
    UnpackedPackage unpacked = unpacker.unpack(
        package,
        archive_of({test::deb_dir("./"), test::deb_dir("./usr/"), test::deb_dir("./usr/bin/"), tool,
                    test::deb_symlink("./usr/bin/hi", "hello"),
                    test::deb_file("./usr/bin/su", "su", 04755),
                    test::deb_owned(test::deb_dir("./var/", 0755), "root", 0, "root", 0),
                    test::deb_owned(test::deb_dir("./var/local/", 02775), "root", 0, "staff", 50)},
                   "hello"),
        "hello_1.0_amd64.deb");
    CHECK(unpacked.package == &package);
    CHECK(unpacked.paths == std::vector<std::string>{"/.", "/usr", "/usr/bin", "/usr/bin/hello",
                                                     "/usr/bin/hi", "/usr/bin/su", "/var",
                                                     "/var/local"});
    CHECK(unpacked.archive.data_tar.empty());
    CHECK(unpacked.archive.control.value("Package") == "hello");

    const auto hello = tree.find("usr/bin/hello");
    REQUIRE(hello);
    CHECK(hello->mode == 0755);
    CHECK(hello->mtime == k_epoch);
    CHECK(hello->xattrs.at("user.comment") == std::string("a\0b", 3));
    CHECK(content_of(tree, "usr/bin/hello") == "#!/bin/sh\n");
    CHECK(tree.find("usr/bin/hi")->type == FileType::symlink);
    CHECK(tree.find("usr/bin/hi")->target == "hello");
    CHECK(tree.find("usr/bin/su")->mode == 04755);
    CHECK(tree.find("var/local")->mode == 02775);
    CHECK(tree.find("var/local")->gid == 50);
    CHECK(unpacker.owner_of("usr/bin/hello") == "hello");
    CHECK(unpacker.owner_of("usr/bin") == ""); // directories are shared
  }

  TEST_CASE("merged /usr: parents follow symlinks and a directory entry keeps the symlink")
  {
    Tree tree;
    merge_usr(tree);
    tree.add_directory("run");
    tree.add_directory("var");
    tree.add_symlink("var/run", "/run"); // absolute: resolved inside the root
    Unpacker unpacker(tree, k_epoch);
    const repo::Package dash = make_package("dash", "0.5.12-2");
    const UnpackedPackage unpacked = unpacker.unpack(
        dash,
        archive_of({test::deb_dir("./"), test::deb_dir("./bin/"),
                    test::deb_file("./bin/dash", "ELF", 0755), test::deb_dir("./var/"),
                    test::deb_dir("./var/run/"), test::deb_file("./var/run/dash.pid", "1")}),
        "dash.deb");
    CHECK(tree.find("bin")->type == FileType::symlink);
    CHECK(tree.find("var/run")->type == FileType::symlink);
    CHECK(content_of(tree, "usr/bin/dash") == "ELF");
    CHECK(content_of(tree, "run/dash.pid") == "1");
    CHECK(unpacker.owner_of("usr/bin/dash") == "dash");
    // The .list keeps the names as the package wrote them.
    CHECK(unpacked.paths == std::vector<std::string>{"/.", "/bin", "/bin/dash", "/var", "/var/run",
                                                     "/var/run/dash.pid"});
  }

  TEST_CASE("owners by name from the staged passwd and group or else numeric ids")
  {
    Tree tree;
    tree.add_file("etc/passwd", "root:x:0:0:root:/root:/bin/bash\n"
                                "messagebus:x:100:102::/nonexistent:/usr/sbin/nologin\n");
    tree.add_file("etc/group", "root:x:0:\nshadow:x:42:\nmessagebus:x:102:\n");
    Unpacker unpacker(tree, k_epoch);
    unpacker.unpack(make_package("dbus", "1.14"),
                    archive_of({test::deb_dir("./"), test::deb_dir("./usr/"),
                                test::deb_owned(test::deb_file("./usr/helper", "x", 04754), "root",
                                                0, "messagebus", 999),
                                test::deb_owned(test::deb_file("./usr/daemon", "y"), "messagebus",
                                                777, "nosuchgroup", 55),
                                test::deb_owned(test::deb_file("./usr/chage", "z", 02755), "root",
                                                0, "shadow", 42)}),
                    "dbus.deb");
    CHECK(tree.find("usr/helper")->uid == 0);
    CHECK(tree.find("usr/helper")->gid == 102);
    CHECK(tree.find("usr/helper")->mode == 04754);
    CHECK(tree.find("usr/daemon")->uid == 100);
    CHECK(tree.find("usr/daemon")->gid == 55); // unknown name: the header's number
    CHECK(tree.find("usr/chage")->gid == 42);
    CHECK(tree.find("usr/chage")->mode == 02755);
  }

  TEST_CASE("device nodes under /dev and fifos anywhere")
  {
    Tree tree;
    Unpacker unpacker(tree, k_epoch);
    unpacker.unpack(make_package("devices", "1"),
                    archive_of({test::deb_dir("./"), test::deb_dir("./dev/"),
                                test::deb_char_device("./dev/null", 1, 3), test::deb_dir("./run/"),
                                test::deb_fifo("./run/initctl", 0600)}),
                    "devices.deb");
    const auto null = tree.find("dev/null");
    REQUIRE(null);
    CHECK(null->type == FileType::char_device);
    CHECK(null->rdev_major == 1);
    CHECK(null->rdev_minor == 3);
    CHECK(null->mode == 0666);
    CHECK(tree.find("run/initctl")->type == FileType::fifo);
    CHECK(tree.find("run/initctl")->mode == 0600);
  }

  TEST_CASE("hard links share one inode")
  {
    Tree tree;
    merge_usr(tree);
    Unpacker unpacker(tree, k_epoch);
    unpacker.unpack(
        make_package("perl-base", "5.36"),
        archive_of({test::deb_dir("./"), test::deb_dir("./usr/"), test::deb_dir("./usr/bin/"),
                    test::deb_file("./usr/bin/perl5.36.0", "perl", 0755),
                    test::deb_hardlink("./usr/bin/perl", "./usr/bin/perl5.36.0"),
                    test::deb_hardlink("./bin/perl-again", "./usr/bin/perl")}),
        "perl-base.deb");
    const auto first = tree.find("usr/bin/perl5.36.0");
    CHECK(first == tree.find("usr/bin/perl"));
    CHECK(first == tree.find("usr/bin/perl-again"));
    CHECK(first->mode == 0755);
    CHECK(unpacker.owner_of("usr/bin/perl") == "perl-base");
  }

  TEST_CASE("a file another package owns needs Replaces and ownership then moves")
  {
    const auto first = [] {
      return archive_of({test::deb_dir("./"), test::deb_dir("./usr/"), test::deb_dir("./usr/bin/"),
                         test::deb_file("./usr/bin/tool", "old")});
    };
    const auto second = [] {
      return archive_of({test::deb_dir("./"), test::deb_dir("./usr/"), test::deb_dir("./usr/bin/"),
                         test::deb_file("./usr/bin/extra", "extra"),
                         test::deb_file("./usr/bin/tool", "new")});
    };
    const repo::Package old_package = make_package("old-tools", "1.0");

    SUBCASE("without Replaces: an error, and the tree is unchanged")
    {
      Tree tree;
      Unpacker unpacker(tree, k_epoch);
      unpacker.unpack(old_package, first(), "old-tools.deb");
      const repo::Package package = make_package("new-tools", "2.0");
      CHECK_THROWS_WITH_AS(unpacker.unpack(package, second(), "new-tools.deb"),
                           doctest::Contains("trying to overwrite '/usr/bin/tool', which is also "
                                             "in package old-tools 1.0 (at new-tools.deb: "
                                             "./usr/bin/tool)"),
                           Error);
      CHECK_FALSE(tree.exists("usr/bin/extra"));
      CHECK(content_of(tree, "usr/bin/tool") == "old");
      CHECK(unpacker.owner_of("usr/bin/tool") == "old-tools");
    }
    SUBCASE("Replaces with a version the old package does not satisfy: an error")
    {
      Tree tree;
      Unpacker unpacker(tree, k_epoch);
      unpacker.unpack(old_package, first(), "old-tools.deb");
      const repo::Package package = make_package("new-tools", "2.0", "old-tools (<< 1.0)");
      CHECK_THROWS_WITH_AS(unpacker.unpack(package, second(), "new-tools.deb"),
                           doctest::Contains("which is also in package old-tools 1.0"), Error);
    }
    SUBCASE("with Replaces: the new file wins and the new package owns it")
    {
      Tree tree;
      Unpacker unpacker(tree, k_epoch);
      unpacker.unpack(old_package, first(), "old-tools.deb");
      const repo::Package package = make_package("new-tools", "2.0", "old-tools (<< 2.0)");
      const UnpackedPackage unpacked = unpacker.unpack(package, second(), "new-tools.deb");
      CHECK(content_of(tree, "usr/bin/tool") == "new");
      CHECK(unpacker.owner_of("usr/bin/tool") == "new-tools");
      CHECK(unpacked.paths.back() == "/usr/bin/tool");
      CHECK(unpacked.replaced_paths ==
            std::map<std::string, std::vector<std::string>>{{"old-tools", {"/usr/bin/tool"}}});
    }
    SUBCASE("the owner Replaces the package unpacked later: the owner's file stays")
    {
      Tree tree;
      Unpacker unpacker(tree, k_epoch);
      const repo::Package package = make_package("new-tools", "2.0", "old-tools");
      unpacker.unpack(package, second(), "new-tools.deb");
      const UnpackedPackage unpacked = unpacker.unpack(old_package, first(), "old-tools.deb");
      CHECK(content_of(tree, "usr/bin/tool") == "new");
      CHECK(unpacker.owner_of("usr/bin/tool") == "new-tools");
      // dpkg leaves the kept file out of the later package's .list.
      CHECK(unpacked.paths == std::vector<std::string>{"/.", "/usr", "/usr/bin"});
      CHECK(unpacked.replaced_paths.empty());
    }
    SUBCASE("Replaces across a merged-/usr link reports the old package's own path")
    {
      Tree tree;
      merge_usr(tree);
      Unpacker unpacker(tree, k_epoch);
      unpacker.unpack(old_package,
                      archive_of({test::deb_dir("./"), test::deb_dir("./bin/"),
                                  test::deb_file("./bin/tool", "old")}),
                      "old-tools.deb");
      const repo::Package package = make_package("new-tools", "2.0", "old-tools");
      const UnpackedPackage unpacked = unpacker.unpack(package, second(), "new-tools.deb");
      CHECK(content_of(tree, "usr/bin/tool") == "new");
      CHECK(unpacked.replaced_paths ==
            std::map<std::string, std::vector<std::string>>{{"old-tools", {"/bin/tool"}}});
    }
    SUBCASE("the same file reached through a merged-/usr link is a conflict too")
    {
      Tree tree;
      merge_usr(tree);
      Unpacker unpacker(tree, k_epoch);
      unpacker.unpack(old_package, first(), "old-tools.deb");
      CHECK_THROWS_WITH_AS(
          unpacker.unpack(make_package("aliased", "1.0"),
                          archive_of({test::deb_dir("./"), test::deb_dir("./bin/"),
                                      test::deb_file("./bin/tool", "aliased")}),
                          "aliased.deb"),
          doctest::Contains("trying to overwrite '/usr/bin/tool', which is also in package "
                            "old-tools 1.0 (at aliased.deb: ./bin/tool)"),
          Error);
    }
  }

  TEST_CASE("bad entries name the package and the path and leave the tree unchanged")
  {
    struct Case {
      const char* name;
      std::vector<test::DebEntry> entries;
      const char* message;
    };
    const Case cases[] = {
        {"path traversal",
         {test::deb_file("./../etc/x", "x")},
         "path escapes the root through '..' (at bad.deb: ./../etc/x)"},
        {"bare path traversal", {test::deb_file("../etc/x", "x")},
         "path escapes the root through '..' (at bad.deb: ../etc/x)"},
        {"traversal inside the path",
         {test::deb_file("./usr/../../etc/x", "x")},
         "path escapes the root through '..' (at bad.deb: ./usr/../../etc/x)"},
        {"absolute path",
         {test::deb_file("/etc/x", "x")},
         "absolute path in the package (at bad.deb: /etc/x)"},
        {"missing parent",
         {test::deb_file("./nowhere/x", "x")},
         "parent directory '/nowhere' does not exist (at bad.deb: ./nowhere/x)"},
        {"parent is a file",
         {test::deb_file("./usr/bin/x", "x")},
         "parent '/usr/bin/x' is a regular file, not a directory (at bad.deb: ./usr/bin/x/y)"},
        {"file over a directory",
         {test::deb_file("./usr/bin", "x")},
         "package ships a regular file where the directory '/usr/bin' exists (at bad.deb: "
         "./usr/bin)"},
        {"hard link outside the package",
         {test::deb_hardlink("./usr/bin/x", "./usr/bin/old")},
         "hard link to './usr/bin/old', which is not an earlier file of this package"},
        {"hard link to a later entry",
         {test::deb_hardlink("./usr/bin/x", "./usr/bin/y"), test::deb_file("./usr/bin/y", "y")},
         "hard link to './usr/bin/y', which is not an earlier file of this package"},
        {"hard link to a directory",
         {test::deb_hardlink("./usr/bin/x", "./usr/bin")},
         "hard link to './usr/bin', which is not an earlier file of this package"},
        {"empty symlink target",
         {test::deb_symlink("./usr/bin/x", "")},
         "symlink with an empty target (at bad.deb: ./usr/bin/x)"},
        {"missing directory behind a link", {test::deb_file("./lib/x", "x")},
         "parent directory '/usr/lib' does not exist (at bad.deb: ./lib/x)"},
        {"symlink loop", {test::deb_file("./loop/x", "x")},
         "too many levels of symlinks at '/loop' (at bad.deb: ./loop/x)"},
        {"device outside /dev",
         {test::deb_char_device("./usr/bin/x", 1, 3)},
         "character device outside /dev (at bad.deb: ./usr/bin/x)"},
    };
    for (const Case& test_case : cases) {
      SUBCASE(test_case.name)
      {
        Tree tree;
        tree.add_directory("usr/bin");
        tree.add_file("usr/bin/old", "old");
        tree.add_symlink("lib", "usr/lib"); // dangling: usr/lib is absent
        tree.add_symlink("loop", "loop");
        Unpacker unpacker(tree, k_epoch);
        std::vector<test::DebEntry> entries = {test::deb_dir("./"),
                                               test::deb_file("./first", "first")};
        entries.insert(entries.end(), test_case.entries.begin(), test_case.entries.end());
        if (std::string(test_case.name) == "parent is a file")
          entries.push_back(test::deb_file("./usr/bin/x/y", "y"));
        CHECK_THROWS_WITH_AS(
            unpacker.unpack(make_package("bad", "1"), archive_of(entries, "bad"), "bad.deb"),
            doctest::Contains(test_case.message), Error);
        CHECK_FALSE(tree.exists("first"));
        CHECK_FALSE(tree.exists("usr/bin/x"));
        CHECK(unpacker.owner_of("first") == "");
      }
    }
  }

  TEST_CASE("a damaged byte anywhere is an Error or a harmless change but never a crash")
  {
    for (const test::DebCompression compression :
         {test::DebCompression::none, test::DebCompression::xz}) {
      test::DebSpec spec;
      spec.control = test::deb_control("hello", "1.0");
      spec.control_compression = compression;
      spec.data_compression = compression;
      spec.data = {test::deb_dir("./"), test::deb_dir("./usr/"), test::deb_dir("./usr/bin/"),
                   test::deb_file("./usr/bin/hello", "#!/bin/sh\n", 0755),
                   test::deb_hardlink("./usr/bin/hi", "./usr/bin/hello"),
                   test::deb_symlink("./usr/bin/hey", "hello")};
      const std::string bytes = test::make_deb(spec);
      const repo::Package package = make_package("hello", "1.0");
      std::size_t rejected = 0;
      for (std::size_t offset = 0; offset < bytes.size(); ++offset) {
        std::string damaged = bytes;
        damaged[offset] = static_cast<char>(damaged[offset] ^ 0x5a);
        Tree tree;
        Unpacker unpacker(tree, k_epoch);
        try {
          unpacker.unpack(package, read_deb(damaged, "damaged.deb"), "damaged.deb");
        } catch (const Error& error) {
          CHECK(error.where().starts_with("damaged.deb"));
          ++rejected;
        }
      }
      CAPTURE(test::deb_suffix(compression));
      CHECK(rejected > bytes.size() / 2);
    }
  }

  TEST_CASE("every .deb of the test mirror unpacks into one merged-/usr tree")
  {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const std::filesystem::path base = cache && *cache ? std::filesystem::path(cache)
                                       : home          ? std::filesystem::path(home) / ".cache"
                                                       : std::filesystem::path();
    const std::filesystem::path pool = base / "compose-test" / "debian-mirror" / "pool";
    if (base.empty() || !std::filesystem::is_directory(pool)) {
      MESSAGE("skipped: no Debian test mirror at " << pool.string());
      return;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(pool))
      if (entry.is_regular_file() && entry.path().extension() == ".deb")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      MESSAGE("skipped: no .deb files under " << pool.string());
      return;
    }

    Tree tree;
    merge_usr(tree);
    Unpacker unpacker(tree, k_epoch);
    std::vector<repo::Package> packages(files.size());
    std::size_t entries = 0;
    std::vector<std::string> taken_over;
    for (std::size_t i = 0; i < files.size(); ++i) {
      const std::string name = files[i].filename().string();
      CAPTURE(name);
      DebArchive archive = read_deb_file(files[i], name);
      repo::Package& package = packages[i];
      package.name = archive.control.value("Package");
      package.version = archive.control.value("Version");
      package.architecture = archive.control.value("Architecture");
      for (const repo::RelationGroup& group : repo::parse_relations(
               archive.control.value("Replaces"), repo::RelationKind::conflicts, name))
        package.replaces.push_back(group.front());
      const UnpackedPackage unpacked = unpacker.unpack(package, std::move(archive), name);
      REQUIRE(!unpacked.paths.empty());
      CHECK(unpacked.paths.front() == "/.");
      // Every listed name reaches an entry through the merged-/usr links.
      for (const std::string& path : unpacked.paths)
        if (!tree.find(path.substr(1), compose::stage::ParentSymlinks::follow))
          FAIL_CHECK(path << " of " << name << " is not in the tree");
      entries += unpacked.paths.size();
      for (const auto& [owner, paths] : unpacked.replaced_paths)
        for (const std::string& path : paths)
          taken_over.push_back(package.name + " took " + path + " from " + owner);
    }
    for (const char* link : {"bin", "sbin", "lib", "lib64"})
      CHECK(tree.find(link)->type == FileType::symlink);
    std::string replaced;
    for (const std::string& line : taken_over)
      replaced += "\n  " + line;
    MESSAGE("unpacked " << files.size() << " packages, " << entries << " entries; "
                        << taken_over.size() << " files taken over through Replaces" << replaced);
  }
}
