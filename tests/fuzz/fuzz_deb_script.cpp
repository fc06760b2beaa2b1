// A maintainer script, reproduced instead of run: the input is a postinst on a small
// Debian-like tree (adduser, update-alternatives, dpkg-statoverride, setcap, pam and friends).
#include "harness.hpp"
#include "repo/deb/control_file.hpp"
#include "stage/tree.hpp"
#include "unpack/deb/script_effects.hpp"

namespace compose::fuzz {

void fuzz_deb_script(std::string_view input)
{
  stage::Tree tree;
  tree.add_file("usr/share/base-passwd/passwd.master",
                "root:*:0:0:root:/root:/bin/bash\n"
                "nobody:*:65534:65534::/:/usr/sbin/nologin\n");
  tree.add_file("usr/share/base-passwd/group.master",
                "root:*:0:\nshadow:*:42:\nnogroup:*:65534:\n");
  tree.add_file("usr/bin/mawk", "", 0755);
  unpack::deb::InstalledPackage package;
  const std::string control = "Package: fuzz\nVersion: 1\nArchitecture: amd64\n";
  package.unpacked.archive.control_text = control;
  package.unpacked.archive.control = repo::deb::parse_control(control, "control").at(0);
  package.unpacked.archive.control_files["postinst"] = {std::string(input), 0755};
  package.unpacked.paths = {"/."};
  unpack::deb::DpkgState state;
  std::vector<std::string> warnings;
  expect_errors([&] {
    (void)unpack::deb::reproduce_script_effects({package}, tree, 86400 * 20000, state, warnings);
  });
}

} // namespace compose::fuzz
