// The product's components table from lock files; see component_report.hpp.
#include "lock/component_report.hpp"

#include <cctype>

namespace compose::lock {

namespace {

struct Component {
  const char* label;
  std::vector<std::string> packages; // the first one locked gives the version
};

const std::vector<Component>& package_components()
{
  static const std::vector<Component> components = {
      {"docker / Docker CE", {"docker-ce", "docker", "docker.io"}},
      {"containerd", {"containerd.io", "containerd"}},
      {"podman", {"podman"}},
      {"OpenSSH", {"openssh-server", "openssh"}},
      {"Supervisor", {"supervisor"}},
  };
  return components;
}

// "v2.40.0" or "2.40.0": a path segment of digits and dots, optionally after a 'v'.
bool looks_like_version(const std::string& segment)
{
  std::size_t i = segment.starts_with('v') ? 1 : 0;
  if (i >= segment.size() || !std::isdigit(static_cast<unsigned char>(segment[i])))
    return false;
  bool dot = false;
  for (; i < segment.size(); ++i) {
    const char c = segment[i];
    if (c == '.')
      dot = true;
    else if (!std::isdigit(static_cast<unsigned char>(c)))
      return false;
  }
  return dot;
}

std::string compose_version(const LockFile& lock)
{
  for (const LockedFile& file : lock.files) {
    if (!file.path.ends_with("/docker-compose") && file.path != "docker-compose")
      continue;
    // The last versioned segment of the URL's path wins (GitHub: .../download/vX.Y.Z/name).
    std::string found;
    std::size_t start = 0;
    while (start < file.url.size()) {
      std::size_t stop = file.url.find('/', start);
      if (stop == std::string::npos)
        stop = file.url.size();
      const std::string segment = file.url.substr(start, stop - start);
      if (looks_like_version(segment))
        found = segment;
      start = stop + 1;
    }
    if (!found.empty())
      return found;
  }
  return "-";
}

std::string package_version(const LockFile& lock, const std::vector<std::string>& names)
{
  for (const std::string& name : names)
    for (const LockedPackage& package : lock.packages)
      if (package.name == name)
        return package.version;
  return "-";
}

} // namespace

std::vector<ComponentRow> component_rows(const std::vector<LockFile>& locks)
{
  std::vector<ComponentRow> rows;
  ComponentRow compose{"Docker Compose", {}};
  for (const LockFile& lock : locks)
    compose.versions.push_back(compose_version(lock));
  rows.push_back(std::move(compose));
  for (const Component& component : package_components()) {
    ComponentRow row{component.label, {}};
    for (const LockFile& lock : locks)
      row.versions.push_back(package_version(lock, component.packages));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string components_markdown(const std::vector<LockFile>& locks)
{
  std::string header = "| |";
  std::string rule = "|---|";
  for (const LockFile& lock : locks) {
    header += " " + lock.recipe.name + " |";
    rule += "---|";
  }
  std::string text = header + "\n" + rule + "\n";
  for (const ComponentRow& row : component_rows(locks)) {
    text += "| " + row.label + " |";
    for (const std::string& version : row.versions)
      text += " " + version + " |";
    text += "\n";
  }
  return text;
}

} // namespace compose::lock
