// update-alternatives without running it: "--install" calls from postinsts are recorded in
// the dpkg state, and once every package is in place the highest-priority choice of each
// group gets its links (/usr/bin/awk -> /etc/alternatives/awk -> /usr/bin/mawk) and its
// admin file (written by the database writer). Without this there is no awk (deb.md §10).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "stage/tree.hpp"
#include "unpack/deb/dpkg_database.hpp"

namespace compose::unpack::deb {

// One update-alternatives command line (words[0] is the program). Returns what was
// recorded, "" for calls with nothing to do on a first installation (--remove, queries),
// or nullopt for calls we do not model (--set, --config, malformed --install).
std::optional<std::string> record_alternative(const std::vector<std::string>& words,
                                              DpkgState& state);

// Creates the links of every group's best choice. A choice whose path is missing from the
// tree, or a slave whose target is missing, is skipped with a warning, as
// update-alternatives skips them.
void apply_alternatives(const DpkgState& state, stage::Tree& tree, std::int64_t epoch,
                        std::vector<std::string>& warnings);

} // namespace compose::unpack::deb
