// `compose diff LOCK_A LOCK_B [--format markdown|json]`: what changed from one lock to the
// next, for release notes and reviews; stdout carries the result.
#include <cstdio>

#include "cli/verbs.hpp"
#include "lock/lock_diff.hpp"

namespace compose::cli {

int run_diff(const std::string& old_file, const std::string& new_file, const std::string& format)
{
  const lock::LockDiff diff =
      lock::diff_locks(lock::read_lock(old_file), lock::read_lock(new_file), old_file, new_file);
  const std::string text = format == "json" ? lock::diff_json(diff) : lock::diff_markdown(diff);
  std::fputs(text.c_str(), stdout);
  return 0;
}

} // namespace compose::cli
