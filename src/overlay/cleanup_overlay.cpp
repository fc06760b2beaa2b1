// [cleanup]: paths removed from the finished tree (documentation, man pages, package
// caches), except the ones to keep (copyright files). Globs are matched against whole image
// paths; '*' also crosses '/'.
#include <fnmatch.h>

#include <algorithm>

#include "overlay/overlays.hpp"

namespace compose::overlay {

namespace {

bool matches_any(const std::vector<std::string>& patterns, const std::string& path)
{
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
    return fnmatch(pattern.c_str(), path.c_str(), 0) == 0;
  });
}

} // namespace

std::size_t apply_cleanup(const std::vector<std::string>& patterns,
                          const std::vector<std::string>& keep, stage::Tree& tree)
{
  if (patterns.empty())
    return 0;
  std::vector<std::string> files, directories;
  tree.walk([&](const stage::Tree::Visit& visit) {
    if (visit.path.empty() || !matches_any(patterns, visit.path) || matches_any(keep, visit.path))
      return;
    (visit.inode.type == stage::FileType::directory ? directories : files).push_back(visit.path);
  });
  std::size_t removed = 0;
  for (const std::string& path : files)
    removed += tree.remove(path) ? 1 : 0;
  // Deepest first, so a directory whose children all went is empty by its turn.
  std::reverse(directories.begin(), directories.end());
  for (const std::string& path : directories) {
    const auto inode = tree.find(path);
    if (inode && inode->children.empty())
      removed += tree.remove(path) ? 1 : 0;
  }
  return removed;
}

} // namespace compose::overlay
