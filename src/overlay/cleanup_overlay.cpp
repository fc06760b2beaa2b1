// [cleanup]: paths removed from the finished tree (documentation, man pages, package
// caches). Globs are matched against whole image paths; '*' also crosses '/'.
#include <fnmatch.h>

#include "overlay/overlays.hpp"

namespace compose::overlay {

std::size_t apply_cleanup(const std::vector<std::string>& patterns, stage::Tree& tree)
{
  if (patterns.empty())
    return 0;
  std::vector<std::string> doomed;
  tree.walk([&](const stage::Tree::Visit& visit) {
    if (visit.path.empty())
      return;
    // A path under one already doomed goes with it.
    if (!doomed.empty() && visit.path.starts_with(doomed.back() + "/"))
      return;
    for (const std::string& pattern : patterns)
      if (fnmatch(pattern.c_str(), visit.path.c_str(), 0) == 0) {
        doomed.push_back(visit.path);
        return;
      }
  });
  for (const std::string& path : doomed)
    tree.remove(path);
  return doomed.size();
}

} // namespace compose::overlay
