// Relationship fields: groups, alternatives, qualifiers, versions and what is refused.
#include <doctest/doctest.h>

#include "repo/deb/relation.hpp"
#include "util/error.hpp"

using namespace compose::repo::deb;

TEST_SUITE("repo::deb::relation")
{
  TEST_CASE("groups, alternatives, qualifiers and versions")
  {
    const auto groups = parse_relations(
        "libc6 (>= 2.34), perl:any, debconf (>= 0.5) | debconf-2.0,\n awk, foo (< 1), bar (>2)",
        RelationKind::depends, "Packages:1");
    REQUIRE(groups.size() == 6);
    CHECK(groups[0][0].text() == "libc6 (>= 2.34)");
    CHECK(groups[1][0].name == "perl");
    CHECK(groups[1][0].arch_qualifier == "any");
    REQUIRE(groups[2].size() == 2);
    CHECK(groups[2][1].name == "debconf-2.0");
    CHECK(groups[3][0].op.empty());
    CHECK(groups[4][0].op == "<=");
    CHECK(groups[5][0].op == ">=");
    CHECK(parse_relations("", RelationKind::depends, "x").empty());
    CHECK(parse_relations("a,", RelationKind::depends, "x").size() == 1);
    CHECK(parse_relations("libapt-pkg (= 2.6.1)", RelationKind::provides, "x")[0][0].version ==
          "2.6.1");
  }

  TEST_CASE("versions satisfy restrictions as dpkg compares them")
  {
    const Relation at_least = parse_relations("x (>= 1:2.0~rc1)", RelationKind::depends, "w")[0][0];
    CHECK(version_satisfies(at_least, "1:2.0"));
    CHECK_FALSE(version_satisfies(at_least, "2.0"));
    const Relation before = parse_relations("x (<< 2.0-1)", RelationKind::depends, "w")[0][0];
    CHECK(version_satisfies(before, "2.0"));
    CHECK_FALSE(version_satisfies(before, "2.0-1"));
    CHECK(version_satisfies(parse_relations("x", RelationKind::depends, "w")[0][0], "0"));
  }

  TEST_CASE("refused input names the relation and the place")
  {
    struct Bad {
      const char* text;
      RelationKind kind;
      const char* message;
      bool apt_reads_it; // UnusableRelation: a Packages reader skips only that stanza
    };
    // Which ones apt reads was checked with apt-get update on a file:// repository.
    const Bad cases[] = {
        {"a, , b", RelationKind::depends, "empty relation", false},
        {"a | ", RelationKind::depends, "empty alternative", false},
        {"a | b", RelationKind::conflicts, "alternatives ('|') are not allowed", true},
        {"a (>= 1.0", RelationKind::depends, "expected '(operator version)'", false},
        {"a (<> 1.0)", RelationKind::depends, "unknown operator '<>'", true},
        {"a (>= !1)", RelationKind::depends, "bad version '!1'", true},
        {"a [amd64]", RelationKind::depends, "source packages only", false},
        {"a <!nocheck>", RelationKind::depends, "source packages only", false},
        {"a (>= 1)", RelationKind::provides, "Provides may only use '='", true},
        {"(>= 1)", RelationKind::depends, "expected a package name", false},
        {"a:", RelationKind::depends, "expected an architecture", true},
    };
    for (const Bad& bad : cases) {
      CAPTURE(bad.text);
      try {
        parse_relations(bad.text, bad.kind, "Packages:7");
        FAIL("accepted");
      } catch (const compose::Error& e) {
        CHECK(std::string(e.what()).find(bad.message) != std::string::npos);
        CHECK(e.where() == "Packages:7");
        CHECK((dynamic_cast<const UnusableRelation*>(&e) != nullptr) == bad.apt_reads_it);
      }
    }
  }
}
