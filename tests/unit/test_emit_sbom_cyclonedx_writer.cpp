// CycloneDX 1.5 writer: the small subject against its golden BOM, components and
// dependencies a reader relies on, and stable bytes whatever the install order.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "emit/sbom/cyclonedx_writer.hpp"
#include "sbom_fixtures.hpp"
#include "test_paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using namespace compose;
using namespace compose::emit::sbom;
using nlohmann::json;

TEST_SUITE("emit::sbom::cyclonedx_writer")
{
  TEST_CASE("the small subject gives the golden BOM")
  {
    const std::string expected =
        read_file(testing::source_dir() / "tests/golden/sbom/small.cdx.json");
    CHECK(cyclonedx_json(testing::small_sbom_subject()) == expected);
  }

  TEST_CASE("components are the installed packages, each with a dependency entry")
  {
    const json bom = json::parse(cyclonedx_json(testing::small_sbom_subject()));
    CHECK(bom["specVersion"] == "1.5");
    CHECK(bom["metadata"]["timestamp"] == "2024-05-01T12:00:00Z");
    CHECK(bom["serialNumber"] == "urn:uuid:" + document_uuid(std::string(64, 'a')));
    std::vector<std::string> names;
    for (const json& component : bom["components"]) {
      names.push_back(component["name"]);
      CHECK(component["bom-ref"] == component["purl"]);
    }
    CHECK(names == std::vector<std::string>{"busybox", "libstdc++", "musl"});
    std::map<std::string, std::vector<std::string>> depends;
    for (const json& entry : bom["dependencies"])
      depends[entry["ref"]] = entry["dependsOn"].get<std::vector<std::string>>();
    const std::string musl = "pkg:apk/alpine/musl@1.2.5-r10?arch=x86_64";
    CHECK(depends.size() == 3);
    CHECK(depends["pkg:apk/alpine/busybox@1.37.0-r18?arch=x86_64"] ==
          std::vector<std::string>{musl});
    CHECK(depends["pkg:apk/alpine/libstdc%2B%2B@14.2.0-r6?arch=x86_64"] ==
          std::vector<std::string>{musl});
    CHECK(depends[musl].empty());
  }

  TEST_CASE("licenses: an SPDX expression as one, any other text as a name")
  {
    const json bom = json::parse(cyclonedx_json(testing::small_sbom_subject()));
    std::map<std::string, json> licenses;
    for (const json& component : bom["components"])
      licenses[component["name"]] = component["licenses"];
    CHECK(licenses["busybox"] == json::parse(R"([{"expression": "GPL-2.0-only"}])"));
    CHECK(licenses["musl"] == json::parse(R"([{"license": {"name": "MIT BSD"}}])"));
  }

  TEST_CASE("a Debian license is a named license")
  {
    Subject subject = testing::small_sbom_subject();
    subject.format = PackageFormat::deb;
    subject.distribution = "debian";
    const json bom = json::parse(cyclonedx_json(subject));
    REQUIRE(bom["components"][0]["name"] == "busybox");
    CHECK(bom["components"][0]["licenses"] ==
          json::parse(R"([{"license": {"name": "GPL-2.0-only"}}])"));
  }

  TEST_CASE("the bytes do not depend on the install order")
  {
    Subject subject = testing::small_sbom_subject();
    const std::string first = cyclonedx_json(subject);
    std::rotate(subject.components.begin(), subject.components.begin() + 1,
                subject.components.end());
    CHECK(cyclonedx_json(subject) == first);
    subject.epoch += 1;
    CHECK(cyclonedx_json(subject) != first);
  }

  TEST_CASE("a dependency outside the BOM is refused")
  {
    Subject subject = testing::small_sbom_subject();
    subject.components[2].depends_on = {"so:libc.musl-x86_64.so.1"};
    CHECK_THROWS_WITH_AS(cyclonedx_json(subject),
                         doctest::Contains("package 'libstdc++' depends on "
                                           "'so:libc.musl-x86_64.so.1'"),
                         Error);
  }
}
