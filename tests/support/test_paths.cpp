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
  if (const char* dir = std::getenv("COMPOSE_SHARED_KEYS"); dir && *dir)
    return dir;
  return source_dir().parent_path() / "shared" / "keys";
}

} // namespace compose::testing
