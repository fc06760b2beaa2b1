// Concatenated gzip members as an .apk or APKINDEX.tar.gz holds them, split member by member.
#include "harness.hpp"
#include "util/gzip_members.hpp"

namespace compose::fuzz {

void fuzz_gzip_members(std::string_view input)
{
  expect_errors([&] {
    std::size_t offset = 0;
    while (offset < input.size()) {
      const GzipMember member = inflate_member(input, offset, "fuzz.gz", std::size_t{16} << 20);
      if (member.size == 0)
        std::abort(); // a member of no bytes would loop forever
      offset += member.size;
    }
  });
}

} // namespace compose::fuzz
