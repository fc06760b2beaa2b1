// dpkg version comparison: epochs, '~', revisions, letters against other characters.
#include <doctest/doctest.h>

#include "repo/deb/version.hpp"
#include "util/error.hpp"

using namespace compose::repo::deb;

TEST_SUITE("repo::deb::version")
{
  TEST_CASE("ordering table, both directions")
  {
    struct Row {
      const char* a;
      int order;
      const char* b;
    };
    const Row rows[] = {
        {"1.0", 0, "1.0"},
        {"1.0", 0, "0:1.0"},
        {"1.0-0", 0, "1.0"},          // an absent revision compares like "0"
        {"1:0.1", 1, "2.0"},          // epoch first
        {"1.0~rc1", -1, "1.0"},       // ~ sorts before the end
        {"1.0~rc1", -1, "1.0~rc2"},
        {"1.0~~", -1, "1.0~"},
        {"1.0~~a", -1, "1.0~"},
        {"1.0", -1, "1.0+b1"},
        {"1.0", -1, "1.0.1"},
        {"1.0a", -1, "1.0+"},         // letters before non-letters
        {"1.0a", 1, "1.0"},
        {"1.2", -1, "1.10"},          // digit runs as numbers
        {"1.002", 0, "1.2"},
        {"1.0-1", -1, "1.0-2"},
        {"1.0-1ubuntu1", 1, "1.0-1"},
        {"1.0-1ubuntu1", -1, "1.0-1ubuntu1.22.04.1"},
        {"2:8.9p1-3ubuntu0.13", 1, "1:9.6p1-3ubuntu13.14"}, // epochs beat everything
        {"1:9.6p1-3ubuntu13.14", 1, "1:9.6p1-3ubuntu13.4"},
        {"5:28.5.1-1~ubuntu.22.04~jammy", -1, "5:28.5.1-1~ubuntu.24.04~noble"},
        {"5:28.5.1-1~ubuntu.22.04~jammy", -1, "5:28.5.1-1"},
        {"4.9.3+ds1-1ubuntu0.2", 1, "3.4.4+ds1-1ubuntu1.22.04.3"},
        {"1.7.28-1~ubuntu.22.04~jammy", 1, "1.7.27-1"},
        {"2.36-9+deb12u14", 1, "2.36-9+deb12u9"},
        {"0.0.0-0", -1, "0.0.1"},
        {"1.0-a", 1, "1.0-1"},
    };
    for (const Row& row : rows) {
      CAPTURE(std::string(row.a));
      CAPTURE(std::string(row.b));
      CHECK(compare_versions(row.a, row.b) == row.order);
      CHECK(compare_versions(row.b, row.a) == -row.order);
    }
  }

  TEST_CASE("validity")
  {
    for (const char* good : {"1", "0:1.0", "1.0-1", "1:2.3-4ubuntu5", "1.0~rc1+dfsg-2~bpo1",
                             "2.0-1-2"})
      CHECK_MESSAGE(is_valid_version(good), good);
    for (const char* bad : {"", "a1.0", "1.0-", "x:1.0", ":1.0", "1.0 2", "1.0_1", "1.0-1_2"})
      CHECK_MESSAGE(!is_valid_version(bad), bad);
    CHECK_THROWS_WITH_AS(parse_version("a1", "Packages:12"),
                         doctest::Contains("must start with a digit"), compose::Error);
  }

  TEST_CASE("relations")
  {
    CHECK(relation_holds("1.0", "<<", "1.1"));
    CHECK_FALSE(relation_holds("1.1", "<<", "1.1"));
    CHECK(relation_holds("1.1", "<=", "1.1"));
    CHECK(relation_holds("1:1.0", ">>", "2.0"));
    CHECK(relation_holds("2.0-1", ">=", "2.0"));
    CHECK(relation_holds("2.0", "=", "0:2.0-0"));
    CHECK_THROWS_AS(relation_holds("1", "=>", "1"), compose::Error);
  }
}
