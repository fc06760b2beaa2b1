// apt's auto-installed marks: dependencies are marked, requested and base packages are not,
// nor is anything an Essential package needs (mmdebstrap installs that closure with dpkg);
// `all` packages take the recipe's architecture. (test_deb_mmdebstrap_parity compares the
// marks of the product set with mmdebstrap's.)
#include <doctest/doctest.h>

#include "pipeline/apt_extended_states.hpp"
#include "repo/deb/packages_index.hpp"

using namespace compose;

TEST_SUITE("pipeline::apt_extended_states")
{
  TEST_CASE("dependencies outside the Essential closure are Auto-Installed, sorted by name")
  {
    const std::string stanza_tail = "Filename: pool/x.deb\nSize: 1\nSHA256: " +
                                    std::string(64, 'a') + "\n\n";
    const std::vector<repo::deb::Package> index = repo::deb::parse_packages(
        "Package: libc6\nVersion: 2.36\nArchitecture: amd64\n" + stanza_tail +
            "Package: dpkg\nVersion: 1.21\nArchitecture: amd64\nEssential: yes\n" + stanza_tail +
            "Package: apt\nVersion: 2.6\nArchitecture: amd64\n" + stanza_tail +
            "Package: libzstd1\nVersion: 1.5\nArchitecture: amd64\n" + stanza_tail +
            "Package: docker.io\nVersion: 20.10\nArchitecture: amd64\n" + stanza_tail +
            "Package: runc\nVersion: 1.1\nArchitecture: amd64\n" + stanza_tail +
            "Package: adduser\nVersion: 3.134\nArchitecture: all\n" + stanza_tail,
        "Packages");
    REQUIRE(index.size() == 7);
    resolve::deb::Plan plan;
    for (const repo::deb::Package& package : index)
      plan.packages.push_back(&package);
    plan.reasons = {"base (required) -> dpkg -> libc6", "base (required)", "base (required)",
                    "base (required) -> apt -> libzstd1", "docker.io", "docker.io -> runc",
                    "docker.io -> adduser"};
    const std::map<std::string, std::vector<std::string>> dependencies = {
        {"dpkg", {"libc6"}}, {"apt", {"libc6", "libzstd1"}}, {"docker.io", {"adduser", "runc"}}};

    CHECK(pipeline::apt_extended_states(plan, dependencies, "amd64") ==
          "Package: adduser\nArchitecture: amd64\nAuto-Installed: 1\n\n"
          "Package: libzstd1\nArchitecture: amd64\nAuto-Installed: 1\n\n"
          "Package: runc\nArchitecture: amd64\nAuto-Installed: 1\n\n");
    CHECK(pipeline::apt_extended_states(plan, dependencies, "arm64").starts_with(
        "Package: adduser\nArchitecture: arm64\n"));
  }

  TEST_CASE("nothing pulled in, nothing marked")
  {
    CHECK(pipeline::apt_extended_states({}, {}, "amd64").empty());
  }
}
