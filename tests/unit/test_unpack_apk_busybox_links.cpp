// BusyBox applet links from /etc/busybox-paths.d manifests.
#include <doctest/doctest.h>

#include "stage/tree.hpp"
#include "unpack/apk/busybox_links.hpp"
#include "util/error.hpp"

using compose::Error;
using compose::stage::FileType;
using compose::stage::Tree;
using compose::unpack::apk::make_busybox_links;

TEST_SUITE("unpack::apk::busybox_links")
{
  TEST_CASE("links every listed applet, keeps real binaries, creates parents 0755")
  {
    Tree tree;
    tree.add_file("bin/busybox", "ELF", 0755);
    tree.add_file("usr/bin/awk", "real awk", 0755);
    tree.add_file("etc/busybox-paths.d/busybox",
                  "/bin/busybox\n/bin/ls\n/usr/bin/awk\n\n/usr/sbin/crond\n");
    tree.add_file("etc/busybox-paths.d/busybox-extras", "/usr/sbin/telnetd\n");
    CHECK(make_busybox_links(tree, 1700000000) == 3);
    const auto ls = tree.find("bin/ls");
    REQUIRE(ls);
    CHECK(ls->type == FileType::symlink);
    CHECK(ls->target == "/bin/busybox");
    CHECK(ls->mtime == 1700000000);
    CHECK(tree.find("usr/bin/awk")->type == FileType::regular);
    CHECK(tree.find("usr/sbin")->mode == 0755);
    CHECK(tree.find("usr/sbin/telnetd")->target == "/bin/busybox");
    CHECK(tree.find("bin/busybox")->type == FileType::regular);
  }

  TEST_CASE("no busybox, no links; busybox without a manifest is an error")
  {
    Tree tree;
    tree.add_file("etc/busybox-paths.d/busybox", "/bin/ls\n");
    CHECK(make_busybox_links(tree, 0) == 0);
    CHECK_FALSE(tree.exists("bin/ls"));

    Tree old;
    old.add_file("bin/busybox", "ELF", 0755);
    CHECK_THROWS_WITH_AS(make_busybox_links(old, 0),
                         doctest::Contains("/etc/busybox-paths.d/ has no applet list"), Error);
  }

  TEST_CASE("a relative or escaping applet path names the manifest line")
  {
    Tree tree;
    tree.add_file("bin/busybox", "ELF", 0755);
    tree.add_file("etc/busybox-paths.d/busybox", "/bin/ls\nbin/cat\n");
    CHECK_THROWS_WITH_AS(make_busybox_links(tree, 0),
                         doctest::Contains("/etc/busybox-paths.d/busybox:2"), Error);
    tree.add_file("etc/busybox-paths.d/busybox", "/../../etc/x\n");
    CHECK_THROWS_WITH_AS(make_busybox_links(tree, 0), doctest::Contains("'..'"), Error);
  }
}
