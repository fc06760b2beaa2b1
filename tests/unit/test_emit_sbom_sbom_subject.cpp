// Shared SBOM values: package URLs, the document UUID, timestamps, contacts, license
// expressions and dependency edges.
#include <doctest/doctest.h>

#include "emit/sbom/sbom_subject.hpp"
#include "sbom_fixtures.hpp"
#include "util/error.hpp"

using namespace compose;
using namespace compose::emit::sbom;

namespace {

Component component(const std::string& name, const std::string& version,
                    const std::string& architecture)
{
  Component made;
  made.name = name;
  made.version = version;
  made.architecture = architecture;
  return made;
}

} // namespace

TEST_SUITE("emit::sbom::sbom_subject")
{
  TEST_CASE("package URLs follow the purl spec for apk and deb")
  {
    struct Case {
      PackageFormat format;
      const char* distribution;
      Component component;
      const char* expected;
    };
    const Case cases[] = {
        {PackageFormat::apk, "alpine", component("busybox", "1.37.0-r18", "x86_64"),
         "pkg:apk/alpine/busybox@1.37.0-r18?arch=x86_64"},
        {PackageFormat::apk, "alpine", component("libstdc++", "14.2.0-r6", "aarch64"),
         "pkg:apk/alpine/libstdc%2B%2B@14.2.0-r6?arch=aarch64"},
        {PackageFormat::deb, "debian", component("attr", "1:2.5.1-4", "amd64"),
         "pkg:deb/debian/attr@1:2.5.1-4?arch=amd64"},
        {PackageFormat::deb, "ubuntu",
         component("zlib1g", "1:1.3.dfsg+really1.3.1-1ubuntu1", "all"),
         "pkg:deb/ubuntu/zlib1g@1:1.3.dfsg%2Breally1.3.1-1ubuntu1?arch=all"},
        {PackageFormat::deb, "debian", component("libc6", "2.36-9+deb12u10", "amd64"),
         "pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64"},
    };
    for (const Case& c : cases) {
      Subject subject;
      subject.format = c.format;
      subject.distribution = c.distribution;
      CAPTURE(c.expected);
      CHECK(package_url(subject, c.component) == c.expected);
    }
  }

  TEST_CASE("the document UUID is a version 5 UUID of the inputs digest")
  {
    const std::string first = document_uuid(std::string(64, 'a'));
    CHECK(first.size() == 36);
    CHECK(first[8] == '-');
    CHECK(first[14] == '5');
    CHECK(std::string("89ab").find(first[19]) != std::string::npos);
    CHECK(first == document_uuid(std::string(64, 'a')));
    CHECK(first != document_uuid(std::string(64, 'b')));
  }

  TEST_CASE("timestamps are UTC seconds in RFC 3339 form")
  {
    CHECK(utc_timestamp(0) == "1970-01-01T00:00:00Z");
    CHECK(utc_timestamp(1714564800) == "2024-05-01T12:00:00Z");
    CHECK(utc_timestamp(951782399) == "2000-02-28T23:59:59Z");
    CHECK(utc_timestamp(951868800) == "2000-03-01T00:00:00Z");
  }

  TEST_CASE("contacts split into name and email")
  {
    const std::optional<Contact> full = parse_contact("Natanael Copa <ncopa@alpinelinux.org>");
    REQUIRE(full);
    CHECK(full->name == "Natanael Copa");
    CHECK(full->email == "ncopa@alpinelinux.org");
    const std::optional<Contact> bare = parse_contact(" Debian Team ");
    REQUIRE(bare);
    CHECK(bare->name == "Debian Team");
    CHECK(bare->email.empty());
    CHECK_FALSE(parse_contact(""));
    CHECK_FALSE(parse_contact("  "));
  }

  TEST_CASE("license expressions")
  {
    for (const char* valid :
         {"MIT", "GPL-2.0-only", "GPL-2.0+", "MIT OR Apache-2.0", "BSD-3-Clause AND Zlib",
          "GPL-2.0-or-later WITH Linux-syscall-note", "(MIT OR BSD-2-Clause) AND ISC",
          "LicenseRef-custom", "DocumentRef-other:LicenseRef-x", "((MIT))"}) {
      CAPTURE(valid);
      CHECK(is_license_expression(valid));
    }
    for (const char* invalid :
         {"", "MIT BSD", "MIT AND", "AND MIT", "(MIT", "MIT)", "GPL-2.0 WITH", "MIT OR OR ISC",
          "custom:proprietary", "Public Domain", "MIT/X11", "DocumentRef-x:MIT"}) {
      CAPTURE(invalid);
      CHECK_FALSE(is_license_expression(invalid));
    }
  }

  TEST_CASE("only apk licenses count as SPDX expressions")
  {
    Subject subject;
    subject.format = PackageFormat::apk;
    Component package = component("zlib", "1.3.1-r2", "x86_64");
    package.license = "Zlib";
    CHECK(spdx_license(subject, package) == "Zlib");
    package.license = "MIT BSD";
    CHECK_FALSE(spdx_license(subject, package));
    package.license = "GPL-2.0-only AND (custom OR MIT)";
    CHECK_FALSE(spdx_license(subject, package));
    package.license = "LicenseRef-custom";
    CHECK(spdx_license(subject, package) == "LicenseRef-custom");
    // "GPL-2+" parses, but Debian's short names are not SPDX identifiers.
    subject.format = PackageFormat::deb;
    for (const char* debian : {"GPL-2+", "Zlib", "Expat"}) {
      package.license = debian;
      CHECK_FALSE(spdx_license(subject, package));
    }
  }

  TEST_CASE("dependencies resolve by name, once each, never to the package itself")
  {
    Subject subject = testing::small_sbom_subject();
    subject.components[1].depends_on = {"musl", "busybox", "libstdc++", "musl"};
    const std::vector<const Component*> sorted = sorted_components(subject);
    REQUIRE(sorted.size() == 3);
    CHECK(sorted[0]->name == "busybox");
    CHECK(sorted[1]->name == "libstdc++");
    CHECK(sorted[2]->name == "musl");
    const std::vector<const Component*> targets = dependencies_of(sorted, *sorted[0]);
    REQUIRE(targets.size() == 2);
    CHECK(targets[0]->name == "libstdc++");
    CHECK(targets[1]->name == "musl");
  }

  TEST_CASE("a dependency on a package that is not installed is an error")
  {
    Subject subject = testing::small_sbom_subject();
    subject.components[0].depends_on = {"openssl"};
    const std::vector<const Component*> sorted = sorted_components(subject);
    CHECK_THROWS_WITH_AS(dependencies_of(sorted, *sorted[2]),
                         doctest::Contains("package 'musl' depends on 'openssl', which is not "
                                           "among the installed packages"),
                         Error);
  }
}
