// Tree: path checks, symlink handling, hard links and the sorted walk.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

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

  // add() remembers the last directory it resolved; these change the tree under that memo.
  TEST_CASE("the remembered parent never outlives a change of the tree's shape")
  {
    Tree tree;
    tree.add_directory("a/b");
    tree.add_file("a/b", "now a file"); // replaces the empty directory add() remembered
    CHECK_THROWS_WITH_AS(tree.add_file("a/b/c", "x"), doctest::Contains("not a directory"), Error);

    tree.add_directory("x/y");
    tree.add_file("x/y/one", "1");
    CHECK(tree.remove("x"));
    tree.add_symlink("x", "/etc");
    CHECK_THROWS_WITH_AS(tree.add_file("x/y/two", "2"), doctest::Contains("through symlink"), Error);
    CHECK(tree.find("x/y/one") == nullptr);

    tree.add_directory("p/q");
    CHECK(tree.remove("p/q"));
    tree.add_file("p/q/r", "recreated", 0644); // makes a new p/q, not the removed one
    CHECK(tree.find("p/q/r") != nullptr);
    std::vector<std::string> seen;
    tree.walk([&](const Tree::Visit& visit) { seen.push_back(visit.path); });
    CHECK(std::find(seen.begin(), seen.end(), "p/q/r") != seen.end());
  }

  // Issue 18's costs: 10,000 nested directories took 393 s when every add walked the whole
  // path; both shapes below now take well under a second (no timing is asserted here; the
  // point is that the suite would visibly hang if they went quadratic again).
  TEST_CASE("10,000 nested directories and 200,000 files in one directory tree")
  {
    Tree deep;
    std::string path = "d";
    for (int level = 0; level < 10000; ++level) {
      deep.add_directory(path, 0755, 0, 0, false);
      path += "/d";
    }
    deep.add_file(path + "-leaf", "x");
    CHECK(deep.find(path + "-leaf") != nullptr);
    CHECK(deep.stats().directories == 10001);

    Tree wide;
    for (int dir = 0; dir < 20; ++dir)
      for (int file = 0; file < 10000; ++file)
        wide.add_file("usr/share/d" + std::to_string(dir) + "/f" + std::to_string(file), "");
    CHECK(wide.stats().names == 200000 + 20 + 2 + 1);
  }
}
