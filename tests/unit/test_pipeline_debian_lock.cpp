// Debian lock entries: a Packages stanza written back from its parsed fields parses to the
// same package (relations, sizes, digest, multi-line fields), which is what a locked build
// installs from.
#include <doctest/doctest.h>

#include "pipeline/debian_lock.hpp"
#include "repo/deb/packages_index.hpp"

using namespace compose;

TEST_SUITE("pipeline::debian_lock")
{
  TEST_CASE("a stanza survives the lock")
  {
    const std::string index = "Package: mawk\n"
                              "Version: 1.3.4.20200120-3.1\n"
                              "Installed-Size: 263\n"
                              "Maintainer: Boyuan Yang <byang@debian.org>\n"
                              "Architecture: amd64\n"
                              "Multi-Arch: foreign\n"
                              "Provides: awk\n"
                              "Pre-Depends: libc6 (>= 2.34)\n"
                              "Depends: libc6 (>= 2.29) | libc6-udeb, base-files\n"
                              "Description: Pattern scanning and text processing language\n"
                              " Mawk is an interpreter for the AWK Programming Language.\n"
                              " .\n"
                              "   indented line\n"
                              "Priority: required\n"
                              "Filename: pool/main/m/mawk/mawk_1.3.4.20200120-3.1_amd64.deb\n"
                              "Size: 119928\n"
                              "SHA256: "
                              "e09b2ac2d1a8c7b2b2f25b7f5d6a4a6f37f4da5a4c1a2c9d0a5e9a45fc9ec1f4\n";
    const std::vector<repo::deb::Package> first = repo::deb::parse_packages(index, "Packages");
    REQUIRE(first.size() == 1);
    const std::string written = pipeline::stanza_text(first.front().paragraph);
    CHECK(written.ends_with("SHA256: "
                            "e09b2ac2d1a8c7b2b2f25b7f5d6a4a6f37f4da5a4c1a2c9d0a5e9a45fc9ec1f4\n"));
    CHECK(written.find(" Mawk is an interpreter for the AWK Programming Language.\n .\n "
                       "indented line\n") != std::string::npos);
    const std::vector<repo::deb::Package> again = repo::deb::parse_packages(written, "lock");
    REQUIRE(again.size() == 1);
    const repo::deb::Package& a = first.front();
    const repo::deb::Package& b = again.front();
    CHECK(a.paragraph.fields() == b.paragraph.fields());
    CHECK(b.name == "mawk");
    CHECK(b.version == a.version);
    CHECK(b.multi_arch == "foreign");
    CHECK(b.size == 119928);
    CHECK(b.sha256 == a.sha256);
    CHECK(b.filename == a.filename);
    CHECK(b.description == "Pattern scanning and text processing language");
    REQUIRE(b.depends.size() == 2);
    CHECK(b.depends[0].size() == 2);
    CHECK(b.depends[0][1].name == "libc6-udeb");
    CHECK(b.pre_depends.at(0).at(0).version == "2.34");
    CHECK(b.provides.at(0).name == "awk");
  }
}
