// The maintainer scripts of every installed package, reproduced instead of run: each
// script is read as shell commands (shell_commands.hpp), commands we model are applied to
// the tree (accounts, alternatives, capabilities, statoverrides, diversions, base files),
// deferred work runs once at the end (shadow files, /etc/shells, CA certificates,
// alternative links), and every script gets a ScriptReport saying what was reproduced,
// what was not needed, and which commands were left out.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stage/tree.hpp"
#include "unpack/deb/dpkg_database.hpp"
#include "unpack/deb_install.hpp"

namespace compose::unpack::deb {

// Classifies one script of `package` without changing anything: the report a script gets
// when none of its commands is modelled (used for prerm/postrm/config and in tests).
ScriptReport classify_script(const std::string& package, const std::string& script,
                             const std::string& text);

// `packages` in install order. Fills `state` (alternatives, diversions, statoverrides) for
// the database writer and returns one report per maintainer script. Throws Error only for
// an impossible account allocation (no free system id). `ld_so_cache`: the caller runs
// ldconfig on the tree after the scripts (unpack/ldconfig.hpp), so their ldconfig calls are
// reproduced rather than not needed.
std::vector<ScriptReport> reproduce_script_effects(const std::vector<InstalledPackage>& packages,
                                                   stage::Tree& tree, std::int64_t epoch,
                                                   DpkgState& state,
                                                   std::vector<std::string>& warnings,
                                                   bool ld_so_cache = false);

} // namespace compose::unpack::deb
