// A whole .deb: ar, member order, control.tar, ./control and the compressed data.tar.
#include "harness.hpp"
#include "unpack/deb/deb_archive.hpp"

namespace compose::fuzz {

void fuzz_deb(std::string_view input)
{
  expect_errors([&] { (void)unpack::deb::read_deb(std::string(input), "fuzz.deb"); });
}

} // namespace compose::fuzz
