// The ar container of a .deb.
#include "harness.hpp"
#include "unpack/deb/ar_reader.hpp"

namespace compose::fuzz {

void fuzz_ar(std::string_view input)
{
  expect_errors([&] {
    for (const unpack::deb::ArMember& member : unpack::deb::read_ar(input, "fuzz.deb"))
      (void)member.data.size();
  });
}

} // namespace compose::fuzz
