// `compose report LOCK…`: the product's components table, as Markdown on stdout, from the
// versions the locks pinned (one column per lock, in the order given).
#include <cstdio>

#include "cli/verbs.hpp"
#include "lock/component_report.hpp"

namespace compose::cli {

int run_report(const std::vector<std::string>& lock_files)
{
  std::vector<lock::LockFile> locks;
  for (const std::string& file : lock_files)
    locks.push_back(lock::read_lock(file));
  std::fputs(lock::components_markdown(locks).c_str(), stdout);
  return 0;
}

} // namespace compose::cli
