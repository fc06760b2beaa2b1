// Test paths; see test_paths.hpp.
#include "test_paths.hpp"

#include <cstdlib>

namespace compose::testing {

std::filesystem::path source_dir()
{
  if (const char* dir = std::getenv("COMPOSE_SOURCE_DIR"); dir && *dir)
    return dir;
#ifdef COMPOSE_SOURCE_DIR
  return COMPOSE_SOURCE_DIR;
#else
  return std::filesystem::current_path();
#endif
}

std::filesystem::path shared_keys()
{
  std::error_code ec;
  if (const char* dir = std::getenv("COMPOSE_SHARED_KEYS");
      dir && *dir && std::filesystem::is_directory(dir, ec))
    return dir;
  // ../shared/keys beside the checkout; a git worktree may sit one level deeper.
  for (std::filesystem::path at = source_dir(); !at.empty() && at != at.root_path();
       at = at.parent_path())
    if (std::filesystem::is_directory(at.parent_path() / "shared" / "keys", ec))
      return at.parent_path() / "shared" / "keys";
  return source_dir().parent_path() / "shared" / "keys";
}

} // namespace compose::testing
