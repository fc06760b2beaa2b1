// APKINDEX text records.
#include <doctest/doctest.h>

#include "repo/apk/index.hpp"
#include "util/error.hpp"

using namespace compose::repo::apk;
using compose::Error;

TEST_SUITE("repo::apk::parse_index_text")
{
  TEST_CASE("every field of a record")
  {
    const std::string text = "C:Q1eXaMpLeBaSe64ChecksumABCDE12=\nP:hello\nV:2.12.1-r0\nA:x86_64\n"
                             "S:14562\nI:61440\nT:Example greeting program\nU:https://example.org\n"
                             "L:GPL-3.0-or-later\no:hello\nm:Jane Doe <jane@example.org>\n"
                             "t:1700000000\nc:0123abc\nk:100\nD:so:libc.musl-x86_64.so.1 !bye\n"
                             "p:cmd:hello=2.12.1-r0\ni:docs hello=2.12.1-r0\nz:ignored\n\n"
                             "C:Q1second=\nP:hello-doc\nV:2.12.1-r0\n\n";
    const auto packages = parse_index_text(text, "APKINDEX", 3);
    REQUIRE(packages.size() == 2);
    const Package& p = packages[0];
    CHECK(p.checksum == "Q1eXaMpLeBaSe64ChecksumABCDE12=");
    CHECK(p.name == "hello");
    CHECK(p.version == "2.12.1-r0");
    CHECK(p.arch == "x86_64");
    CHECK(p.size == 14562);
    CHECK(p.installed_size == 61440);
    CHECK(p.description == "Example greeting program");
    CHECK(p.license == "GPL-3.0-or-later");
    CHECK(p.origin == "hello");
    CHECK(p.maintainer == "Jane Doe <jane@example.org>");
    CHECK(p.build_time == 1700000000);
    CHECK(p.commit == "0123abc");
    CHECK(p.provider_priority == 100);
    REQUIRE(p.depends.size() == 2);
    CHECK(p.depends[1].conflict);
    CHECK(p.provides[0].name == "cmd:hello");
    CHECK(p.install_if.size() == 2);
    CHECK(p.repository == 3);
    CHECK_FALSE(p.uninstallable);
  }

  TEST_CASE("an unknown upper-case field makes the package uninstallable")
  {
    const auto packages = parse_index_text("C:Q1x=\nP:a\nV:1\nX:new\n", "APKINDEX", 0);
    REQUIRE(packages.size() == 1);
    CHECK(packages[0].uninstallable);
  }

  TEST_CASE("malformed records name their line")
  {
    struct Case {
      const char* text;
      const char* message;
      const char* where;
    };
    const Case cases[] = {
        {"C:Q1n3lS+qdBr2TTQ1Q3v0oSv0mZp2A=\nV:1.2-r0\n\n", "record has no package name (P:)",
         "APKINDEX:1"},
        {"C:Q1x=\nP:a\n\n", "has no version (V:)", "APKINDEX:1"},
        {"P:a\nV:1\n\n", "has no checksum (C:)", "APKINDEX:1"},
        {"C:Q1x=\nP:a\nV:1\nS:12x\n", "is not a number", "APKINDEX:4"},
        {"C:Q1x=\nP:a\nV:1\n\nC:Q1y=\nP:b\nV:1\nbroken\n", "malformed line", "APKINDEX:8"},
        {"C:Q1x=\nP:a\nV:1\nD:foo>=\n", "no version after", "APKINDEX:4"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.text);
      try {
        parse_index_text(c.text, "APKINDEX", 0);
        FAIL("expected an error");
      } catch (const Error& e) {
        CHECK(e.message().find(c.message) != std::string::npos);
        CHECK(e.where() == c.where);
      }
    }
  }

  TEST_CASE("with a problem list, odd records are left out and named, the rest kept")
  {
    const std::string text = "C:Q1a=\nP:good\nV:1.0-r0\n\n"
                             "C:Q1b=\nP:bad-relation\nV:1\nD:foo>=\n\n"
                             "C:Q1c=\nP:no-checksum-follows\nV:1\nbroken\n\n"
                             "P:no-checksum\nV:1\n\n"
                             "C:Q1d=\nP:odd-version\nV:1.0bc\n\n"
                             "C:Q1e=\nP:real-odd\nV:0.99f7-r2\np:cmd:kdevelop!=23.08.4-r0\n\n";
    std::vector<std::string> problems;
    const auto packages = parse_index_text(text, "APKINDEX", 3, &problems);
    REQUIRE(packages.size() == 3);
    CHECK(packages[0].name == "good");
    CHECK(packages[1].name == "odd-version"); // apk keeps it and compares it token-wise
    CHECK(packages[2].name == "real-odd");
    CHECK(packages[2].provides.at(0).name == "cmd:kdevelop!");
    CHECK(packages[2].repository == 3);
    REQUIRE(problems.size() == 4);
    CHECK(problems[0].find("skipped 'bad-relation' (line 5)") == 0);
    CHECK(problems[0].find("APKINDEX:8") != std::string::npos);
    CHECK(problems[1].find("'no-checksum-follows' (line 10)") != std::string::npos);
    CHECK(problems[2].find("has no checksum") != std::string::npos);
    CHECK(problems[3].find("'odd-version'") != std::string::npos);
    // Without the list, the same text is refused at the first odd record (lock records).
    CHECK_THROWS_AS(parse_index_text(text, "APKINDEX", 0), Error);
  }
}
