// Release files (the verified text of InRelease) and their dates.
#include "harness.hpp"
#include "repo/deb/release_file.hpp"

namespace compose::fuzz {

void fuzz_release(std::string_view input)
{
  const std::string text(input);
  expect_errors([&] {
    const repo::deb::Release release = repo::deb::parse_release(text, "Release");
    repo::deb::check_valid_until(release, 1700000000, false, "Release");
    for (const std::string& component : release.components)
      for (const std::string& architecture : release.architectures)
        for (const repo::deb::ReleaseEntry* entry :
             repo::deb::packages_indexes(release, component, architecture))
          (void)repo::deb::by_hash_path(*entry);
  });
  expect_errors([&] { (void)repo::deb::parse_release_date(text, "Release"); });
}

} // namespace compose::fuzz
