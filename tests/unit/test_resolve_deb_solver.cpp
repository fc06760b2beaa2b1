// The apt-style solver on small generated indexes: candidates by pin then version,
// alternatives, virtual packages and versioned Provides, requested providers chosen first
// (as apt-get install marks its command line before the dependencies), Conflicts, the base
// set by priority, Recommends, dependency-first order, and unsatisfiable requests.
// (tests/e2e/test_deb_resolution_*.sh hold the real archive against apt itself.)
#include <doctest/doctest.h>

#include <algorithm>

#include "repo/deb/packages_index.hpp"
#include "resolve/deb/solver.hpp"
#include "util/error.hpp"

using namespace compose;

namespace {

// "name version[; Field: value]..." records, one per string.
std::vector<repo::deb::Package> index_of(const std::vector<std::string>& records)
{
  std::string text;
  for (const std::string& record : records) {
    const std::size_t space = record.find(' ');
    const std::size_t fields = record.find("; ");
    text += "Package: " + record.substr(0, space) + "\nVersion: " +
            record.substr(space + 1, fields == std::string::npos ? std::string::npos
                                                                : fields - space - 1) +
            "\nArchitecture: amd64\n";
    std::string rest = fields == std::string::npos ? "" : record.substr(fields + 2);
    for (std::size_t at; (at = rest.find("; ")) != std::string::npos;)
      rest.replace(at, 2, "\n");
    if (rest.find("Priority: ") == std::string::npos)
      rest += (rest.empty() ? "" : "\n") + std::string("Priority: optional");
    text += rest + "\n";
    text += "Filename: pool/x.deb\nSize: 1\nSHA256: " + std::string(64, 'a') + "\n\n";
  }
  return repo::deb::parse_packages(text, "Packages");
}

std::vector<recipe::PackageSpec> requests_of(std::initializer_list<const char*> names)
{
  std::vector<recipe::PackageSpec> requests;
  for (const char* name : names) {
    std::string text = name;
    const std::size_t relation = text.find_first_of("<>=");
    requests.push_back({text.substr(0, relation),
                        relation == std::string::npos ? "" : text.substr(relation), {}});
  }
  return requests;
}

// "name version" per installed package, in install order.
std::vector<std::string> solved(const std::vector<std::string>& records,
                                std::initializer_list<const char*> names,
                                resolve::deb::Options options = {"amd64"})
{
  const std::vector<repo::deb::Package> packages = index_of(records);
  const resolve::deb::Plan plan =
      resolve::deb::solve(requests_of(names), {{&packages, 500, "test"}}, options);
  std::vector<std::string> result;
  for (const repo::deb::Package* package : plan.packages)
    result.push_back(package->name + " " + package->version);
  return result;
}

// Joined with ", " so a failing check prints both sides.
std::string joined(const std::vector<std::string>& list)
{
  std::string text;
  for (const std::string& item : list)
    text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string sorted(std::vector<std::string> list)
{
  std::sort(list.begin(), list.end());
  return joined(list);
}

const std::vector<std::string> k_containers = {
    "podman 4.3; Depends: common, crun | runc",
    "common 0.50; Depends: container-network-stack",
    "cni-plugins 1.1; Provides: container-network-stack (= 1)",
    "netavark 1.4; Provides: container-network-stack (= 2)",
    "crun 1.8",
    "runc 1.1",
};

} // namespace

TEST_SUITE("resolve_deb_solver")
{
  TEST_CASE("dependencies first; the first alternative; a virtual name by its provider")
  {
    CHECK(joined(solved(k_containers, {"podman"})) ==
          "cni-plugins 1.1, common 0.50, crun 1.8, podman 4.3");
  }

  TEST_CASE("a requested provider satisfies another request's virtual dependency")
  {
    // apt-get install podman netavark: netavark is marked before podman's dependencies.
    CHECK(sorted(solved(k_containers, {"podman", "netavark"})) ==
          "common 0.50, crun 1.8, netavark 1.4, podman 4.3");
    // An alternative already requested wins over the first one.
    CHECK(sorted(solved(k_containers, {"podman", "runc"})) ==
          "cni-plugins 1.1, common 0.50, podman 4.3, runc 1.1");
  }

  TEST_CASE("versions, versioned provides, conflicts and pins")
  {
    const std::vector<std::string> records = {
        "app 2.0; Depends: lib (>= 1.5), stack (>= 2)",
        "lib 1.0",
        "lib 1.6",
        "lib 1:0.1",
        "old-stack 1.0; Provides: stack (= 1)",
        "new-stack 1.0; Provides: stack (= 2); Conflicts: lib (<< 1:0)",
    };
    // The highest version is the candidate (the epoch wins); the versioned relation is
    // met only by the versioned Provides that satisfies it.
    CHECK(sorted(solved(records, {"app"})) ==
          "app 2.0, lib 1:0.1, new-stack 1.0");
    // A request with a version picks that version even when it is not the candidate.
    CHECK(sorted(solved(records, {"lib=1.6"})) == "lib 1.6");
  }

  TEST_CASE("the base set by priority, and Recommends when asked")
  {
    std::vector<repo::deb::Package> packages = index_of({
        "base-files 12; Priority: required",
        "dpkg 1.21; Essential: yes; Priority: required",
        "less 590; Priority: important",
        "tool 1.0; Recommends: helper; Suggests: extra",
        "helper 1.0",
        "extra 1.0",
    });
    const auto names = [&](const resolve::deb::Options& options,
                           std::initializer_list<const char*> requests) {
      std::vector<std::string> result;
      for (const repo::deb::Package* package :
           resolve::deb::solve(requests_of(requests), {{&packages, 500, "test"}}, options).packages)
        result.push_back(package->name);
      return sorted(result);
    };
    CHECK(names({"amd64", "essential", false}, {"tool"}) ==
          "dpkg, tool");
    CHECK(names({"amd64", "required", false}, {"tool"}) ==
          "base-files, dpkg, tool");
    CHECK(names({"amd64", "important", true}, {"tool"}) ==
          "base-files, dpkg, helper, less, tool");
  }

  TEST_CASE("unsatisfiable requests explain why")
  {
    struct Case {
      std::initializer_list<const char*> requests;
      const char* message;
    };
    const std::vector<std::string> records = {
        "a 1.0; Depends: b (>= 2)",
        "b 1.0",
        "c 1.0; Conflicts: d",
        "d 1.0",
        "e 1.0; Provides: virtual-thing",
    };
    const Case cases[] = {
        {{"missing"}, "no package 'missing' in the repositories"},
        {{"virtual-thing"}, "virtual-thing is a virtual package; ask for one of its providers"},
        {{"b>=3"}, "no version of 'b' satisfies '>=3'"},
        {{"a"}, "cannot install a 1.0"},
        {{"c", "d"}, "conflicts with"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.message);
      try {
        solved(records, c.requests);
        FAIL("solved");
      } catch (const Error& e) {
        CHECK_MESSAGE(e.describe().find(c.message) != std::string::npos, e.describe());
      }
    }
  }
}
