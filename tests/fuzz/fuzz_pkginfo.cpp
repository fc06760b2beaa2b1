// The .PKGINFO of an .apk's control member.
#include "harness.hpp"
#include "unpack/apk/package_reader.hpp"

namespace compose::fuzz {

void fuzz_pkginfo(std::string_view input)
{
  expect_errors([&] { (void)unpack::apk::parse_pkginfo(input, "x.apk: .PKGINFO"); });
}

} // namespace compose::fuzz
