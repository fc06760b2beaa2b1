// apk dependency tokens: names, tags, relations, conflicts.
#include <doctest/doctest.h>

#include "repo/apk/dependency.hpp"
#include "util/error.hpp"

using namespace compose::repo::apk;
using compose::Error;

TEST_SUITE("repo::apk::dependency")
{
  TEST_CASE("tokens round-trip")
  {
    for (const char* token : {"busybox", "so:libc.musl-x86_64.so.1", "cmd:sh=1.36.1-r15",
                              "/bin/sh", "!hylafax", "tdb~1.4.6", "docker>=25.0", "foo<2",
                              "bar@edge", "baz@edge>1.0", "py3.11:setuptools", "x>~1.6",
                              "pc:glib-2.0>=2.78"})
      CHECK(parse_dependency(token, "t").text() == token);
    const Dependency d = parse_dependency("!docker@edge>=25.0-r1", "t");
    CHECK(d.conflict);
    CHECK(d.name == "docker");
    CHECK(d.tag == "edge");
    CHECK(d.op == Op::greater_equal);
    CHECK(d.version == "25.0-r1");
    const Dependency pin = parse_dependency("musl><Q1abc/def=", "t");
    CHECK(pin.op == Op::checksum);
    CHECK(pin.version == "Q1abc/def=");
  }

  TEST_CASE("tokens real indexes hold, read as apk 2.14 reads them")
  {
    const Dependency bang = parse_dependency("cmd:kdevelop!=23.08.4-r0", "t");
    CHECK(bang.name == "cmd:kdevelop!");
    CHECK(bang.op == Op::equal);
    CHECK(bang.version == "23.08.4-r0");
    CHECK(parse_dependency("pc:librtmp=v2.4", "t").version == "v2.4");
    CHECK(parse_dependency("pc:jemalloc=5.3.0_", "t").version == "5.3.0_");
    CHECK(parse_dependency("so:libfoo.so.0=0..0", "t").version == "0..0");
    CHECK(parse_dependency("so:libphobos2.so.0.104.o=0.104.o", "t").version == "0.104.o");
    CHECK(parse_dependency("foo=>1", "t").op == Op::greater_equal);
    CHECK(parse_dependency("foo=~1", "t").op == Op::fuzzy);
    CHECK(parse_dependency("foo<>Q1abc=", "t").op == Op::checksum);
  }

  TEST_CASE("lists split on whitespace")
  {
    const auto list = parse_dependencies("  a b>1  so:libz.so.1\tc ", "t");
    REQUIRE(list.size() == 4);
    CHECK(list[2].name == "so:libz.so.1");
  }

  TEST_CASE("bad tokens name the token and the place")
  {
    struct Case {
      const char* token;
      const char* message;
    };
    const Case cases[] = {{">=1.0", "no package name"},
                          {"foo>=", "no version"},
                          {"foo<=>1", "unknown relation '<=>'"},
                          {"foo>=1.0bc", "not a valid apk version"},
                          {"foo@>1", "empty repository tag"}};
    for (const Case& c : cases) {
      CAPTURE(c.token);
      CHECK_THROWS_WITH_AS(parse_dependency(c.token, "APKINDEX:7"), doctest::Contains(c.message),
                           Error);
      try {
        parse_dependency(c.token, "APKINDEX:7");
      } catch (const Error& e) {
        CHECK(e.where() == "APKINDEX:7");
      }
    }
  }
}
