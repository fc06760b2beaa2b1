// `compose inspect` of an ext4 image (libext2fs, read-only, plus compose's own checks).
#include "emit/ext4/ext4_inspect.hpp"
#include "harness.hpp"

namespace compose::fuzz {

void fuzz_inspect_ext4(std::string_view input)
{
  const std::filesystem::path file = scratch_file(input, ".ext4");
  expect_errors([&] { (void)emit::format_report(emit::inspect_ext4(file)); });
}

} // namespace compose::fuzz
