// Tree: path checks, symlink handling, hard links and the sorted walk.
#include <doctest/doctest.h>

#include "stage/tree.hpp"
#include "util/error.hpp"

using compose::Error;
using namespace compose::stage;

TEST_SUITE("stage::Tree")
{
  TEST_CASE("normalise rejects escapes and strips leading ./ and /")
  {
    CHECK(Tree::normalise("./usr/bin/x") == "usr/bin/x");
    CHECK(Tree::normalise("/etc/passwd") == "etc/passwd");
    CHECK(Tree::normalise("etc/") == "etc");
    CHECK_THROWS_WITH_AS(Tree::normalise("usr/../../etc"), doctest::Contains("'..'"), Error);
    CHECK_THROWS_AS(Tree::normalise("a//b"), Error);
  }

  TEST_CASE("walk is sorted by bytes with parents first, hard links share an inode")
  {
    Tree tree;
    tree.add_directory("usr/bin");
    tree.add_file("usr/bin/b", "bee", 0755);
    tree.add_file("usr/bin/a", "aye");
    tree.add_directory("usr-local");
    tree.add_hardlink("usr/bin/c", "usr/bin/b");
    std::vector<std::string> paths;
    std::vector<bool> firsts;
    tree.walk([&](const Tree::Visit& visit) {
      paths.push_back(visit.path);
      firsts.push_back(visit.first_name);
      if (visit.path == "usr/bin/c") {
        CHECK(visit.first_path == "usr/bin/b");
        CHECK(visit.link_count == 2);
      }
    });
    CHECK(paths == std::vector<std::string>{"", "usr", "usr/bin", "usr/bin/a", "usr/bin/b",
                                            "usr/bin/c", "usr-local"});
    CHECK(firsts.back() == true);
    CHECK(firsts[5] == false);
  }

  TEST_CASE("writing through a symlink is refused unless following is asked for")
  {
    Tree tree;
    tree.add_directory("etc");
    tree.add_directory("usr/lib");
    tree.add_symlink("x", "/etc");
    tree.add_symlink("lib", "usr/lib");
    Inode file;
    file.content = Content("evil");
    CHECK_THROWS_WITH_AS(tree.add("x/passwd", file), doctest::Contains("through symlink 'x'"),
                         Error);
    CHECK(tree.add("lib/libc.so", file, Existing::replace, ParentSymlinks::follow));
    CHECK(tree.find("usr/lib/libc.so") != nullptr);
    CHECK(tree.resolve("lib/libc.so") == tree.find("usr/lib/libc.so"));
  }

  TEST_CASE("Existing::keep keeps a real binary over an applet link")
  {
    Tree tree;
    tree.add_file("bin/ls", "ELF", 0755);
    CHECK_FALSE(tree.add_symlink("bin/ls", "/bin/busybox", Existing::keep));
    CHECK(tree.find("bin/ls")->type == FileType::regular);
  }
}
