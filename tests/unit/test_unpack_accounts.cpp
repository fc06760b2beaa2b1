// Accounts: busybox id allocation and the exact lines written to passwd, group, shadow.
#include <doctest/doctest.h>

#include "stage/tree.hpp"
#include "unpack/accounts.hpp"
#include "util/error.hpp"

using compose::Error;
using compose::stage::Tree;
using compose::unpack::Accounts;

namespace {

std::string text_of(const Tree& tree, const std::string& path)
{
  const auto inode = tree.find(path);
  REQUIRE(inode);
  return inode->content.read();
}

Tree base_tree()
{
  Tree tree;
  tree.add_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                              "nobody:x:65534:65534:nobody:/:/sbin/nologin\n"
                              "taken:x:100:100::/:/sbin/nologin\n");
  tree.add_file("etc/group", "root:x:0:root\nnogroup:x:65533:\nshadow:x:42:\ntaken:x:100:\n");
  tree.add_file("etc/shadow", "root:*::0:::::\n", 0640, 0, 42);
  return tree;
}

} // namespace

TEST_SUITE("unpack::Accounts")
{
  TEST_CASE("system groups and users take the first free id from 100, like busybox")
  {
    Tree tree = base_tree();
    Accounts accounts = Accounts::load(tree);
    CHECK(accounts.add_group("messagebus", std::nullopt, true) == 101);
    Accounts::NewUser user;
    user.name = "messagebus";
    user.system = true;
    user.group = "messagebus";
    user.home = "/dev/null";
    user.gecos = "messagebus";
    CHECK(accounts.add_user(user, 19700) == 101);
    Accounts::NewUser plain;
    plain.name = "daemon2";
    plain.system = true;
    CHECK(accounts.add_user(plain, 19700) == 102);
    accounts.store(tree, 0);
    CHECK(text_of(tree, "etc/passwd") == "root:x:0:0:root:/root:/bin/sh\n"
                                         "nobody:x:65534:65534:nobody:/:/sbin/nologin\n"
                                         "taken:x:100:100::/:/sbin/nologin\n"
                                         "messagebus:x:101:101:messagebus:/dev/null:/sbin/nologin\n"
                                         "daemon2:x:102:65533:Linux User,,,:/home/daemon2:/sbin/nologin\n");
    CHECK(text_of(tree, "etc/group") == "root:x:0:root\nnogroup:x:65533:daemon2\nshadow:x:42:\n"
                                        "taken:x:100:\nmessagebus:x:101:messagebus\n");
    CHECK(text_of(tree, "etc/shadow") == "root:*::0:::::\n"
                                         "messagebus:!:19700:0:99999:7:::\n"
                                         "daemon2:!:19700:0:99999:7:::\n");
    // The shadow file keeps its inode: owner and mode from the package stay.
    CHECK(tree.find("etc/shadow")->gid == 42);
    CHECK(tree.find("etc/shadow")->mode == 0640);
  }

  TEST_CASE("a user without -G gets its own group with gid = uid, free in both files")
  {
    Tree tree = base_tree();
    tree.add_file("etc/group", "root:x:0:root\nnogroup:x:65533:\nother:x:1000:\n");
    Accounts accounts = Accounts::load(tree);
    Accounts::NewUser user;
    user.name = "alice";
    CHECK(accounts.add_user(user, 0) == 1001);
    CHECK(accounts.gid_of("alice") == 1001u);
    CHECK(accounts.primary_gid("alice") == 1001u);
  }

  TEST_CASE("names and fixed ids in use fail with busybox's wording")
  {
    Tree tree = base_tree();
    Accounts accounts = Accounts::load(tree);
    CHECK_THROWS_WITH_AS(accounts.add_group("shadow", std::nullopt, true),
                         doctest::Contains("group 'shadow' in use"), Error);
    CHECK_THROWS_WITH_AS(accounts.add_group("new", 42u, true),
                         doctest::Contains("gid '42' in use"), Error);
    Accounts::NewUser user;
    user.name = "root";
    CHECK_THROWS_WITH_AS(accounts.add_user(user, 0), doctest::Contains("user 'root' in use"),
                         Error);
    user.name = "x";
    user.group = "missing";
    CHECK_THROWS_WITH_AS(accounts.add_user(user, 0), doctest::Contains("unknown group 'missing'"),
                         Error);
  }

  TEST_CASE("membership is added once")
  {
    Tree tree = base_tree();
    Accounts accounts = Accounts::load(tree);
    accounts.add_member("shadow", "nobody");
    accounts.add_member("shadow", "nobody");
    accounts.add_member("shadow", "taken");
    accounts.store(tree, 0);
    CHECK(text_of(tree, "etc/group").find("shadow:x:42:nobody,taken\n") != std::string::npos);
  }
}
