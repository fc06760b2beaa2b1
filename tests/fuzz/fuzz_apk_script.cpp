// An .apk's install script, reproduced on a small Alpine-like tree: the interpreter behind
// the shell reader (word expansion, functions, tests, busybox account and file commands).
#include "harness.hpp"
#include "stage/tree.hpp"
#include "unpack/apk/script_effects.hpp"

namespace compose::fuzz {

void fuzz_apk_script(std::string_view input)
{
  stage::Tree tree;
  tree.add_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  tree.add_file("etc/group", "root:x:0:root\nshadow:x:42:\n");
  tree.add_file("etc/shadow", "root:*::0:::::\n", 0640);
  tree.add_directory("var/lib");
  unpack::apk::ScriptEnvironment environment{tree, 86400 * 19000, false};
  expect_errors([&] {
    (void)unpack::apk::reproduce_script(input, {"1.0-r0", "0.9-r0"}, environment);
  });
}

} // namespace compose::fuzz
