// The in-memory tar reader (ustar, PAX, GNU long names; fragments without end blocks).
#include "harness.hpp"
#include "unpack/tar_reader.hpp"

namespace compose::fuzz {

void fuzz_tar(std::string_view input)
{
  std::size_t total = 0;
  expect_errors([&] {
    unpack::read_tar(input, "fuzz.tar", [&](const unpack::TarEntry& entry) {
      total += entry.name.size() + entry.linkname.size() + entry.content.size();
    });
  });
}

} // namespace compose::fuzz
