// Maintainer and apk scripts: the POSIX sh reader both package families use.
#include "harness.hpp"
#include "unpack/shell/syntax.hpp"

namespace compose::fuzz {

void fuzz_shell(std::string_view input)
{
  expect_errors([&] {
    const unpack::shell::Script script = unpack::shell::parse_script(input);
    unpack::shell::for_each_simple_command(script.program, [](const unpack::shell::Command&) {});
  });
}

} // namespace compose::fuzz
