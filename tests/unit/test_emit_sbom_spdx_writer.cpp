// SPDX 2.3 writer: the small subject against its golden document, the structure a reader
// relies on, and stable bytes whatever the install order.
#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "emit/sbom/spdx_writer.hpp"
#include "sbom_fixtures.hpp"
#include "test_paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using namespace compose;
using namespace compose::emit::sbom;
using nlohmann::json;

TEST_SUITE("emit::sbom::spdx_writer")
{
  TEST_CASE("the small subject gives the golden document")
  {
    const std::string expected =
        read_file(testing::source_dir() / "tests/golden/sbom/small.spdx.json");
    CHECK(spdx_json(testing::small_sbom_subject()) == expected);
  }

  TEST_CASE("the image contains exactly the installed packages")
  {
    const json document = json::parse(spdx_json(testing::small_sbom_subject()));
    CHECK(document["spdxVersion"] == "SPDX-2.3");
    CHECK(document["creationInfo"]["created"] == "2024-05-01T12:00:00Z");
    std::set<std::string> contained;
    std::set<std::string> depends_on;
    for (const json& relation : document["relationships"]) {
      if (relation["relationshipType"] == "CONTAINS") {
        CHECK(relation["spdxElementId"] == "SPDXRef-Image");
        contained.insert(relation["relatedSpdxElement"].get<std::string>());
      } else if (relation["relationshipType"] == "DEPENDS_ON") {
        depends_on.insert(relation["spdxElementId"].get<std::string>() + " -> " +
                          relation["relatedSpdxElement"].get<std::string>());
      }
    }
    std::map<std::string, std::string> name_of;
    for (const json& package : document["packages"])
      name_of[package["SPDXID"].get<std::string>()] = package["name"].get<std::string>();
    std::set<std::string> contained_names;
    for (const std::string& id : contained)
      contained_names.insert(name_of.at(id));
    CHECK(contained_names == std::set<std::string>{"busybox", "libstdc++", "musl"});
    std::set<std::string> edges;
    for (const std::string& edge : depends_on) {
      const std::size_t arrow = edge.find(" -> ");
      edges.insert(name_of.at(edge.substr(0, arrow)) + " -> " + name_of.at(edge.substr(arrow + 4)));
    }
    CHECK(edges == std::set<std::string>{"busybox -> musl", "libstdc++ -> musl"});
  }

  TEST_CASE("identifiers are valid SPDX element ids and licenses stay valid")
  {
    const json document = json::parse(spdx_json(testing::small_sbom_subject()));
    for (const json& package : document["packages"]) {
      const std::string id = package["SPDXID"];
      CAPTURE(id);
      CHECK(id.starts_with("SPDXRef-"));
      CHECK(std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
      }));
      if (package["name"] == "musl") {
        CHECK(package["licenseDeclared"] == "NOASSERTION");
        CHECK(package["licenseComments"] == "declared by the package as: MIT BSD");
        CHECK(package["supplier"] == "NOASSERTION");
      }
      if (package["name"] == "busybox")
        CHECK(package["supplier"] == "Person: Sören Jensen (soeren@example.org)");
    }
  }

  TEST_CASE("a Debian license is a comment, not a declared SPDX license")
  {
    Subject subject = testing::small_sbom_subject();
    subject.format = PackageFormat::deb;
    subject.distribution = "debian";
    const json document = json::parse(spdx_json(subject));
    for (const json& package : document["packages"]) {
      CHECK(package["licenseDeclared"] == "NOASSERTION");
      if (package["name"] == "busybox") {
        CHECK(package["licenseComments"] == "declared by the package as: GPL-2.0-only");
        CHECK(package["externalRefs"][0]["referenceLocator"] ==
              "pkg:deb/debian/busybox@1.37.0-r18?arch=x86_64");
      }
    }
  }

  TEST_CASE("the bytes do not depend on the install order")
  {
    Subject subject = testing::small_sbom_subject();
    const std::string first = spdx_json(subject);
    std::reverse(subject.components.begin(), subject.components.end());
    CHECK(spdx_json(subject) == first);
    subject.inputs_digest = std::string(64, 'f');
    CHECK(spdx_json(subject) != first);
  }

  TEST_CASE("a dependency outside the document is refused")
  {
    Subject subject = testing::small_sbom_subject();
    subject.components[1].depends_on = {"zlib"};
    CHECK_THROWS_WITH_AS(spdx_json(subject),
                         doctest::Contains("package 'busybox' depends on 'zlib'"), Error);
  }
}
