// Packages records: fields, relations, and records that are refused.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "repo/deb/packages_index.hpp"
#include "repo/deb/packages_index_codec.hpp"
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
        {record("", "abc"), "no SHA256"},
        {record("Depends: libc6 (>= \n"), "bad relation"},
        {"Package: x\nVersion: 1\nArchitecture: all\nSize: 1\nSHA256: " + k_sha + "\n",
         "no Filename"},
        {"Package: x\nVersion: !\nArchitecture: all\n", "version"},
    };
    for (const Bad& bad : cases) {
      CAPTURE(bad.text);
      CHECK_THROWS_WITH_AS(parse_packages(bad.text, "Packages"),
                           doctest::Contains(bad.message), compose::Error);
    }
  }

  TEST_CASE("a stanza apt would skip, or compose cannot use, is skipped with a warning")
  {
    const std::string good = "Package: good\nVersion: 1\nArchitecture: all\nFilename: pool/g.deb\n"
                             "Size: 1\nSHA256: " + k_sha + "\n";
    auto stanza = [&](const std::string& name, const std::string& fields) {
      return "Package: " + name + "\n" + fields + "Filename: pool/x.deb\nSize: 1\nSHA256: " + k_sha +
             "\n";
    };
    // What apt does with each (apt-get update on a file:// repository): skips the stanza
    // (no Version), or reads it although compose cannot use it (the rest).
    struct Case {
      std::string text;
      const char* warning;
    };
    const Case cases[] = {
        {stanza("noversion", "Architecture: all\n"), "package 'noversion' skipped: no Version"},
        {stanza("badversion", "Version: a1.0\nArchitecture: all\n"), "package 'badversion' skipped"},
        {stanza("noarch", "Version: 1\n"), "package 'noarch' skipped: no Architecture"},
        {"Package: nofile\nVersion: 1\nArchitecture: all\nSize: 1\nSHA256: " + k_sha + "\n",
         "package 'nofile' skipped: no Filename"},
        {"Package: nosha\nVersion: 1\nArchitecture: all\nFilename: pool/x.deb\nSize: 1\n",
         "package 'nosha' skipped: no SHA256"},
        {stanza("badop", "Version: 1\nArchitecture: all\nDepends: good (!! 1)\n"),
         "package 'badop' skipped: bad relation 'good (!! 1)'"},
        {stanza("altconflict", "Version: 1\nArchitecture: all\nConflicts: a | b\n"),
         "package 'altconflict' skipped: alternatives"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.text);
      const PackagesIndex index = read_packages_index(good + "\n" + c.text + "\n" + good, "URL");
      REQUIRE(index.packages.size() == 2);
      CHECK(index.packages[0].name == "good");
      CHECK(index.packages[1].name == "good");
      const auto lines = std::count(c.text.begin(), c.text.end(), '\n');
      CHECK(index.packages[1].where == "URL:" + std::to_string(9 + lines));
      REQUIRE(index.warnings.size() == 1);
      CHECK(index.warnings[0].starts_with("URL:8: "));
      CHECK(index.warnings[0].find(c.warning) != std::string::npos);
      // Read strictly (a lock record), the same stanza is an error naming its line.
      CHECK_THROWS_WITH_AS(parse_packages(good + "\n" + c.text, "lock"),
                           doctest::Contains("cannot be used"), compose::Error);
    }
  }

  TEST_CASE("what apt passes over keeps the package, with a warning")
  {
    const std::string text = "Package: kept\nVersion: 1\nArchitecture: all\njunk line\n"
                             "Installed-Size: lots\nProvides: a (= 1), b (>= 2), c\n"
                             "Filename: pool/k.deb\nSize: 1\nSHA256: " + k_sha + "\n";
    const PackagesIndex index = read_packages_index(text, "URL");
    REQUIRE(index.packages.size() == 1);
    const Package& kept = index.packages[0];
    REQUIRE(kept.provides.size() == 2); // apt: "Ignoring non-equal Provides"
    CHECK(kept.provides[0].text() == "a (= 1)");
    CHECK(kept.provides[1].text() == "c");
    CHECK(kept.installed_size_kib == 0);
    REQUIRE(index.warnings.size() == 3);
    CHECK(index.warnings[0] == "URL:1: package 'kept': line 4: malformed line 'junk line' "
                               "(expected 'Field: value') ignored, as apt does");
    CHECK(index.warnings[1].find("Installed-Size is not a number") != std::string::npos);
    CHECK(index.warnings[2] == "URL:1: package 'kept': Provides 'b (>= 2)' ignored (only '=' "
                               "may restrict a provided version), as apt does");
  }

  TEST_CASE("what apt refuses the whole index for stays an error")
  {
    const std::string good = "Package: good\nVersion: 1\nArchitecture: all\nFilename: pool/g.deb\n"
                             "Size: 1\nSHA256: " + k_sha + "\n";
    // apt: "Encountered a section with no Package: header"; "Problem parsing dependency".
    CHECK_THROWS_WITH_AS(read_packages_index(good + "\nVersion: 1\n", "URL"),
                         doctest::Contains("without Package"), compose::Error);
    CHECK_THROWS_WITH_AS(read_packages_index(good + "\n" + "Package: x\nVersion: 1\nArchitecture: all\nDepends: a, , b\n", "URL"),
                         doctest::Contains("empty relation"), compose::Error);
    CHECK_THROWS_WITH_AS(read_packages_index("Package: x\nVersion: 1\nArchitecture: all\nDepends: a [amd64]\n", "URL"),
                         doctest::Contains("source packages only"), compose::Error);
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

    // Fed in pieces that cut lines and stanzas anywhere, as the parsed-index cache feeds the
    // decompressor's output: the same packages, field for field.
    PackagesIndexReader reader("Packages", PackagesIndexReader::Stanzas::strict);
    for (std::size_t at = 0; at < text.size(); at += 4093)
      reader.feed(std::string_view(text).substr(at, 4093));
    CHECK(encode_packages_index(reader.finish()) == encode_packages_index({packages, {}}));
  }
}
