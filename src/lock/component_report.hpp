// The components table of the product spec (Docker Compose, docker / Docker CE, containerd,
// podman, OpenSSH, Supervisor), one column per lock, printed from what the locks pinned.
#pragma once

#include <string>
#include <vector>

#include "lock/lock_file.hpp"

namespace compose::lock {

// The version a lock pins for each component, or "-" when it has none:
// - Docker Compose: the version in the URL of the pinned file installed as .../docker-compose
//   (".../releases/download/v2.40.0/docker-compose-linux-x86_64" -> "v2.40.0");
// - the others: the version of the first locked package of these names:
//   docker / Docker CE: docker-ce, docker, docker.io; containerd: containerd.io, containerd;
//   podman: podman; OpenSSH: openssh-server, openssh; Supervisor: supervisor.
struct ComponentRow {
  std::string label;
  std::vector<std::string> versions; // one per lock
};
std::vector<ComponentRow> component_rows(const std::vector<LockFile>& locks);

// A Markdown table: header "| | <recipe name> | …", then one row per component.
std::string components_markdown(const std::vector<LockFile>& locks);

} // namespace compose::lock
