// apk version comparison, validity and relation checks (apk.md §7).
#include <doctest/doctest.h>

#include <string>

#include "repo/apk/version.hpp"

using namespace compose::repo::apk;

TEST_SUITE("repo::apk::version")
{
  TEST_CASE("ordering table, both directions")
  {
    struct Row {
      const char* a;
      int order;
      const char* b;
    };
    const Row rows[] = {
        {"1.0", -1, "1.0.0"},           {"1.0", -1, "1.0-r0"},
        {"1.2", -1, "1.10"},            {"1.01", -1, "1.1"},
        {"1.001", -1, "1.01"},          {"0.01", -1, "0.1"},
        {"1.0.10", 1, "1.0.9"},         {"1.0_rc1", -1, "1.0"},
        {"1.0_pre1", -1, "1.0_rc1"},    {"1.0_alpha", -1, "1.0_beta"},
        {"1.0_beta", -1, "1.0_pre"},    {"1.0_p1", 1, "1.0"},
        {"1.0_p1", 1, "1.0-r1"},        {"1.0_cvs", -1, "1.0_svn"},
        {"1.0_svn", -1, "1.0_git"},     {"1.0_git", -1, "1.0_hg"},
        {"1.0_hg", -1, "1.0_p"},        {"1.2.3_git20230424", 1, "1.2.3"},
        {"1.2.4", 1, "1.2.3_git20230424"}, {"1.0a", 1, "1.0"},
        {"1.0a", -1, "1.0.1"},          {"1.0b", 1, "1.0a"},
        {"1.0-r10", 1, "1.0-r9"},       {"1.0_rc1-r5", -1, "1.0-r0"},
        {"1.0_rc", -1, "1.0_rc0"},      {"1.0_p", -1, "1.0_p0"},
        {"2.16.01", 1, "2.15.05"},      {"1.0.05", -1, "1.0.4"},
        {"1.00", -1, "1.0"},            {"1.0.05", 1, "1.0.0"},
        {"9.6_p1-r2", -1, "9.7_p1-r5"}, {"10.0_p1-r9", 1, "9.9_p2-r0"},
        {"28.3.3-r3", 1, "28.3.3-r2"},  {"1.36.1-r15", 1, "1.36.1-r8"},
        {"2", 1, "1.99.99"},            {"1.0", 0, "1.0"},
        {"1.0-r00", 0, "1.0-r0"},       {"05.1", 0, "5.1"},
    };
    for (const Row& row : rows) {
      CAPTURE(std::string(row.a));
      CAPTURE(std::string(row.b));
      const int forward = compare_versions(row.a, row.b);
      const int backward = compare_versions(row.b, row.a);
      CHECK((forward > 0) - (forward < 0) == row.order);
      CHECK((backward > 0) - (backward < 0) == -row.order);
    }
  }

  TEST_CASE("validity, as apk.static 2.14.4's `apk version -c` answers")
  {
    // Real index versions and provides first, then the grammar's loose corners.
    for (const char* good : {"1", "1.0", "1.2.3a", "1.0_rc1", "1.0_p1_git2", "1.0-r0",
                             "2.3.1_alpha2-r10", "1.0a_p1-r1", "0.99f7-r2", "1.5b7-r4",
                             "7.4.0p1-r1", "3.2p4-r0", "0.12.5a0-r0", "v2.4", "5.3.0_", "0..0",
                             "0.104.o", "", "a1", "1..0", "1.0.", "1.0-r", "1.0-r1-r2",
                             "12345678901234567"})
      CHECK_MESSAGE(is_valid_version(good), good);
    for (const char* bad : {"1.0bc", "1.0_foo", "1.0_preview", "1.0-x1", "1.0_rc1a", "1 0",
                            "1.0~abc", "123456789012345678", "1.1234567890123456789"})
      CHECK_MESSAGE(!is_valid_version(bad), bad);
  }

  TEST_CASE("corners apk.static 2.14.4 settled")
  {
    CHECK(compare_versions("1.0", "1.0_rc") > 0);
    CHECK(compare_versions("1.0", "1.0_p") < 0);
    CHECK(compare_versions("1.0.0", "1.01") < 0);
    CHECK(compare_versions("1.5.0-r3", "1.5.0_git20230221-r0") < 0);
    CHECK(compare_versions("1.01", "1.0~1") > 0);
    CHECK(compare_versions("0.99f7-r2", "0.99f8") < 0);
    CHECK(compare_versions("v2.4", "2.4") < 0);
    CHECK(compare_versions("2147483647", "2147483648") < 0);
    CHECK(compare_versions("9223372036854775806", "9223372036854775807") == 0);
    CHECK(compare_versions("0", "99999999999999999999") > 0);
  }

  TEST_CASE("relations, fuzzy matching as apk 2.14")
  {
    CHECK(version_satisfies("1.6.5", Op::fuzzy, "1.6"));
    CHECK(version_satisfies("1.6", Op::fuzzy, "1.6.5"));
    CHECK(version_satisfies("1.6_pre1", Op::fuzzy, "1.6"));
    CHECK_FALSE(version_satisfies("1.60", Op::fuzzy, "1.6"));
    CHECK(version_satisfies("1.7", Op::greater_fuzzy, "1.6"));
    CHECK(version_satisfies("1.6.9", Op::greater_fuzzy, "1.6"));
    CHECK_FALSE(version_satisfies("1.5", Op::greater_fuzzy, "1.6"));
    CHECK(version_satisfies("1.5", Op::less_fuzzy, "1.6"));
    CHECK(version_satisfies("2.0-r1", Op::greater_equal, "2.0"));
    CHECK_FALSE(version_satisfies("2.0", Op::greater, "2.0"));
    CHECK(version_satisfies("2.0", Op::less_equal, "2.0"));
    CHECK(version_satisfies("1.9", Op::less, "2.0"));
    CHECK(version_satisfies("2.0-r0", Op::equal, "2.0-r0"));
    CHECK_FALSE(version_satisfies("2.0-r1", Op::equal, "2.0-r0"));
    CHECK(version_satisfies("anything", Op::any, ""));
    CHECK_FALSE(version_satisfies("1.0", Op::checksum, "Q1abc"));
  }
}
