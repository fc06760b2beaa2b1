// BusyBox applet links from the packaged manifests; see busybox_links.hpp.
#include "unpack/apk/busybox_links.hpp"

#include <string>

#include "util/error.hpp"

namespace compose::unpack::apk {

namespace {

constexpr const char* k_manifest_directory = "etc/busybox-paths.d";

std::string trimmed(std::string_view line)
{
  const std::size_t first = line.find_first_not_of(" \t\r");
  if (first == std::string_view::npos)
    return {};
  const std::size_t last = line.find_last_not_of(" \t\r");
  return std::string(line.substr(first, last - first + 1));
}

} // namespace

std::size_t make_busybox_links(stage::Tree& tree, std::int64_t mtime)
{
  const std::shared_ptr<stage::Inode> busybox = tree.find("bin/busybox");
  if (!busybox)
    return 0;
  const std::shared_ptr<stage::Inode> manifests = tree.find(k_manifest_directory);
  if (!manifests || manifests->type != stage::FileType::directory || manifests->children.empty())
    throw Error("/bin/busybox is installed but /etc/busybox-paths.d/ has no applet list",
                "/etc/busybox-paths.d",
                "use busybox 1.36.0-r8 or newer, which ships the list of applet paths");

  std::size_t made = 0;
  // children is a std::map: manifests are read in byte order of their names.
  for (const auto& [name, manifest] : manifests->children) {
    if (manifest->type != stage::FileType::regular)
      continue;
    const std::string text_bytes = manifest->content.read();
    const std::string_view text = text_bytes;
    std::size_t start = 0;
    std::size_t line_number = 0;
    while (start < text.size()) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      const std::string line = trimmed(text.substr(start, end - start));
      start = end + 1;
      ++line_number;
      if (line.empty() || line.starts_with("#") || line == "/bin/busybox")
        continue;
      const std::string where = "/" + std::string(k_manifest_directory) + "/" + name + ":" +
                                std::to_string(line_number);
      if (!line.starts_with("/"))
        throw Error("applet path is not absolute: " + quote(line), where);
      const std::string path = stage::Tree::normalise(line);
      stage::Inode link;
      link.type = stage::FileType::symlink;
      link.mode = 0777;
      link.target = "/bin/busybox";
      link.mtime = mtime;
      try {
        // busybox --install follows symlinked parent directories, as the kernel does.
        if (tree.add(path, std::move(link), stage::Existing::keep, stage::ParentSymlinks::follow,
                     true))
          ++made;
      } catch (Error& error) {
        error.at(where);
        throw;
      }
    }
  }
  return made;
}

} // namespace compose::unpack::apk
