// Release parsing, Valid-Until and the choice of Packages index.
#include <doctest/doctest.h>

#include "repo/deb/release_file.hpp"
#include "util/error.hpp"

using namespace compose::repo::deb;

namespace {
const std::string k_release =
    "Origin: Ubuntu\nLabel: Ubuntu\nSuite: jammy-updates\nVersion: 22.04\nCodename: jammy\n"
    "Date: Sat, 11 Jul 2026 10:16:37 UTC\nValid-Until: Sat, 18 Jul 2026 10:16:37 UTC\n"
    "Architectures: amd64 arm64\nComponents: main universe\nAcquire-By-Hash: yes\n"
    "MD5Sum:\n 0123456789abcdef0123456789abcdef 100 main/binary-amd64/Packages\n"
    "SHA256:\n"
    " 1111111111111111111111111111111111111111111111111111111111111111 1000 main/binary-amd64/Packages\n"
    " 2222222222222222222222222222222222222222222222222222222222222222 300 main/binary-amd64/Packages.gz\n"
    " 3333333333333333333333333333333333333333333333333333333333333333 200 main/binary-amd64/Packages.xz\n"
    " 4444444444444444444444444444444444444444444444444444444444444444 90 universe/binary-amd64/Packages.gz\n";
}

TEST_SUITE("repo::deb::release_file")
{
  TEST_CASE("fields, dates and the SHA256 list")
  {
    const Release release = parse_release(k_release, "InRelease");
    CHECK(release.suite == "jammy-updates");
    CHECK(release.codename == "jammy");
    CHECK(release.date == 1783764997);
    CHECK(release.valid_until == 1783764997 + 7 * 86400);
    CHECK(release.architectures == std::vector<std::string>{"amd64", "arm64"});
    CHECK(release.acquire_by_hash);
    REQUIRE(release.files.size() == 4);
    // apt's order: .xz, then .gz, then plain, each only when the Release lists it.
    const std::vector<const ReleaseEntry*> main = packages_indexes(release, "main", "amd64");
    REQUIRE(main.size() == 3);
    CHECK(main[0]->path == "main/binary-amd64/Packages.xz");
    CHECK(main[1]->path == "main/binary-amd64/Packages.gz");
    CHECK(main[2]->path == "main/binary-amd64/Packages");
    CHECK(by_hash_path(*main[0]) == "main/binary-amd64/by-hash/SHA256/" + std::string(64, '3'));
    const std::vector<const ReleaseEntry*> universe = packages_indexes(release, "universe", "amd64");
    REQUIRE(universe.size() == 1);
    CHECK(universe[0]->path == "universe/binary-amd64/Packages.gz");
    CHECK(packages_indexes(release, "restricted", "amd64").empty());
  }

  TEST_CASE("Valid-Until is enforced unless explicitly allowed")
  {
    const Release release = parse_release(k_release, "InRelease");
    CHECK_NOTHROW(check_valid_until(release, 1783764997 + 86400, false, "InRelease"));
    CHECK_THROWS_WITH_AS(check_valid_until(release, 1783764997 + 8 * 86400, false, "InRelease"),
                         doctest::Contains("Release expired"), compose::Error);
    CHECK_NOTHROW(check_valid_until(release, 1783764997 + 8 * 86400, true, "InRelease"));
  }

  TEST_CASE("weak digests alone and malformed lines are refused")
  {
    CHECK_THROWS_WITH_AS(
        parse_release("Suite: x\nMD5Sum:\n 0123456789abcdef0123456789abcdef 1 a\n", "R"),
        doctest::Contains("no SHA256 list"), compose::Error);
    CHECK_THROWS_WITH_AS(parse_release("Suite: x\nSHA256:\n abc 1 a\n", "R"),
                         doctest::Contains("malformed SHA256 line"), compose::Error);
    CHECK_THROWS_WITH_AS(parse_release("Date: yesterday\nSHA256:\n", "R"),
                         doctest::Contains("unreadable date"), compose::Error);
    CHECK_THROWS_WITH_AS(parse_release("Date: xx Jul 2026 10:16:37 UTC\nSHA256:\n", "R"),
                         doctest::Contains("unreadable date"), compose::Error);
  }
}
