// Packages records: fields, relations, and records that are refused.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>

#include "repo/deb/packages_index.hpp"
#include "util/decompress.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using namespace compose::repo::deb;

namespace {
const std::string k_sha(64, 'a');
std::string record(const std::string& extra = "", const std::string& sha = k_sha)
{
  return "Package: base-files\nEssential: yes\nPriority: required\nSection: admin\n"
         "Installed-Size: 340\nMaintainer: Santiago Vila <sanvila@debian.org>\n"
         "Architecture: amd64\nMulti-Arch: foreign\nVersion: 12.4+deb12u11\n"
         "Replaces: base, dpkg (<= 1.15.0), miscutils\nProvides: base\n"
         "Pre-Depends: awk\nBreaks: debian-security-support (<< 2019.04.25), initscripts (<< 2.88dsf-13.3)\n" +
         extra + "Description: Debian base system miscellaneous files\n This package.\n"
                 "Filename: pool/main/b/base-files/base-files_12.4+deb12u11_amd64.deb\n"
                 "Size: 70984\nSHA256: " + sha + "\n";
}
} // namespace

TEST_SUITE("repo::deb::packages_index")
{
  TEST_CASE("a record becomes a package")
  {
    const auto packages = parse_packages(record() + "\n" + record(), "Packages");
    REQUIRE(packages.size() == 2);
    const Package& p = packages[0];
    CHECK(p.name == "base-files");
    CHECK(p.essential);
    CHECK(p.priority == "required");
    CHECK(p.multi_arch == "foreign");
    CHECK(p.installed_size_kib == 340);
    CHECK(p.replaces.size() == 3);
    CHECK(p.replaces[1].text() == "dpkg (<= 1.15.0)");
    CHECK(p.provides[0].name == "base");
    CHECK(p.pre_depends[0][0].name == "awk");
    CHECK(p.breaks.size() == 2);
    CHECK(p.description == "Debian base system miscellaneous files");
    CHECK(p.size == 70984);
    CHECK(p.sha256 == k_sha);
    CHECK(p.where == "Packages:1");
    CHECK(packages[1].where == "Packages:20");
  }

  TEST_CASE("records that are refused")
  {
    struct Bad {
      std::string text;
      const char* message;
    };
    const Bad cases[] = {
        {record("", "abc"), "has no SHA256"},
        {record("Depends: libc6 (>= \n"), "bad relation"},
        {"Package: x\nVersion: 1\nArchitecture: all\nInstalled-Size: 12k\n", "Installed-Size is not a number"},
        {"Package: x\nVersion: 1\nArchitecture: all\nSize: 1\nSHA256: " + k_sha + "\n",
         "without Filename"},
        {"Package: x\nVersion: !\nArchitecture: all\n", "version"},
    };
    for (const Bad& bad : cases) {
      CAPTURE(bad.text);
      CHECK_THROWS_WITH_AS(parse_packages(bad.text, "Packages"),
                           doctest::Contains(bad.message), compose::Error);
    }
  }

  TEST_CASE("the real bookworm Packages.xz, when the test mirror is cached")
  {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    const std::filesystem::path base =
        cache ? std::filesystem::path(cache) : std::filesystem::path(home ? home : "/") / ".cache";
    const auto file = base / "compose-test/debian-mirror/dists/bookworm/main/binary-amd64/Packages.xz";
    if (!std::filesystem::exists(file)) {
      MESSAGE("no cached Debian mirror; skipped");
      return;
    }
    const std::string text =
        compose::decompress(compose::read_file(file), "xz", file.string());
    const auto packages = parse_packages(text, "Packages");
    CHECK(packages.size() > 50000);
    std::size_t essential = 0;
    for (const Package& p : packages)
      essential += p.essential;
    CHECK(essential >= 20);
  }
}
