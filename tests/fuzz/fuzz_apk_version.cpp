// apk versions and dependency tokens: the input's first line is a version, the second
// another, the rest a dependency list ("so:libc.musl-x86_64.so.1 !foo>1.2 bar@edge").
#include "harness.hpp"
#include "repo/apk/dependency.hpp"
#include "repo/apk/version.hpp"

namespace compose::fuzz {

void fuzz_apk_version(std::string_view input)
{
  const std::vector<std::string_view> parts = split_input(input, "\n", 3);
  const std::string_view a = parts[0], b = parts.size() > 1 ? parts[1] : "";
  (void)repo::apk::is_valid_version(a);
  (void)repo::apk::compare_versions(a, b);
  (void)repo::apk::version_satisfies(a, repo::apk::Op::fuzzy, b);
  (void)repo::apk::version_satisfies(a, repo::apk::Op::greater_equal, b);
  if (parts.size() > 2)
    expect_errors([&] {
      for (const repo::apk::Dependency& dependency :
           repo::apk::parse_dependencies(parts[2], "fuzz"))
        (void)repo::apk::version_satisfies(a, dependency.op, dependency.version);
    });
}

} // namespace compose::fuzz
