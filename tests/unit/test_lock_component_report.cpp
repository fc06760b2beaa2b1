// The components table: versions from the locked packages and the pinned docker-compose URL,
// "-" where a lock has none, one column per lock named after its recipe.
#include <doctest/doctest.h>

#include "lock/component_report.hpp"

using namespace compose::lock;

namespace {

LockFile lock_with(const std::string& name,
                   const std::vector<std::pair<std::string, std::string>>& packages,
                   const std::string& compose_url)
{
  LockFile lock;
  lock.recipe.name = name;
  for (const auto& [package, version] : packages) {
    LockedPackage locked;
    locked.name = package;
    locked.version = version;
    lock.packages.push_back(locked);
  }
  if (!compose_url.empty())
    lock.files.push_back({"/usr/local/bin/docker-compose", compose_url, std::string(64, '0')});
  return lock;
}

} // namespace

TEST_SUITE("lock::component_report")
{
  TEST_CASE("one column per lock, '-' where a component is absent")
  {
    const std::vector<LockFile> locks = {
        lock_with("alpine-3.22-dockerd",
                  {{"docker", "28.3.3-r3"}, {"docker-engine", "28.3.3-r3"},
                   {"containerd", "2.0.5-r3"}, {"openssh-server", "10.0_p1-r9"},
                   {"openssh", "10.0_p1-r9"}, {"supervisor", "4.2.5-r5"}},
                  "https://github.com/docker/compose/releases/download/v2.40.0/"
                  "docker-compose-linux-x86_64"),
        lock_with("ubuntu-24.04-dockerd",
                  {{"docker-ce", "5:28.5.1-1~ubuntu.24.04~noble"},
                   {"containerd.io", "1.7.28-1~ubuntu.24.04~noble"},
                   {"openssh-server", "1:9.6p1-3ubuntu13.14"},
                   {"supervisor", "4.2.5-1ubuntu0.1"}},
                  "https://example.org/compose/2.39.1/docker-compose"),
        lock_with("debian-podman", {{"podman", "4.3.1+ds1-8+b1"}}, ""),
    };
    CHECK(components_markdown(locks) ==
          "| | alpine-3.22-dockerd | ubuntu-24.04-dockerd | debian-podman |\n"
          "|---|---|---|---|\n"
          "| Docker Compose | v2.40.0 | 2.39.1 | - |\n"
          "| docker / Docker CE | 28.3.3-r3 | 5:28.5.1-1~ubuntu.24.04~noble | - |\n"
          "| containerd | 2.0.5-r3 | 1.7.28-1~ubuntu.24.04~noble | - |\n"
          "| podman | - | - | 4.3.1+ds1-8+b1 |\n"
          "| OpenSSH | 10.0_p1-r9 | 1:9.6p1-3ubuntu13.14 | - |\n"
          "| Supervisor | 4.2.5-r5 | 4.2.5-1ubuntu0.1 | - |\n");
  }

  TEST_CASE("a pinned file elsewhere or a URL without a version gives no Compose version")
  {
    LockFile other = lock_with("a", {}, "");
    other.files.push_back({"/usr/bin/tool", "https://example.org/v1.2.3/tool", ""});
    const LockFile unversioned = lock_with("b", {}, "https://example.org/latest/docker-compose");
    const std::vector<ComponentRow> rows = component_rows({other, unversioned});
    CHECK(rows.at(0).label == "Docker Compose");
    CHECK(rows.at(0).versions == std::vector<std::string>{"-", "-"});
  }
}
