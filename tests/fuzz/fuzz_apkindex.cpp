// APKINDEX text (already verified): read leniently, as an index is, and strictly, as lock
// records are.
#include "harness.hpp"
#include "repo/apk/index.hpp"

namespace compose::fuzz {

void fuzz_apkindex(std::string_view input)
{
  const std::string text(input);
  std::vector<std::string> problems;
  expect_errors([&] { (void)repo::apk::parse_index_text(text, "APKINDEX", 0, &problems); });
  expect_errors([&] { (void)repo::apk::parse_index_text(text, "APKINDEX", 0); });
}

} // namespace compose::fuzz
