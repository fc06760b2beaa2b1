// Lock files (RECIPE.lock.json), parsed and written back.
#include "harness.hpp"
#include "lock/lock_file.hpp"

namespace compose::fuzz {

void fuzz_lock(std::string_view input)
{
  expect_errors([&] { (void)lock::lock_json(lock::parse_lock(std::string(input), "x.lock.json")); });
}

} // namespace compose::fuzz
