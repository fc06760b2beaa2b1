// apt's auto-installed marks (/var/lib/apt/extended_states) for a resolved Debian plan, so
// that `apt-mark showauto` and `apt autoremove` inside the image know which packages were
// only pulled in as dependencies.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "resolve/deb/solver.hpp"

namespace compose::pipeline {

// `dependencies`: each planned package's installed dependencies (by name). A package is
// marked Auto-Installed when the resolver chose it for another package's sake, unless it is
// Essential or something an Essential package needs: like mmdebstrap, which installs that
// closure with dpkg before apt sees the rest. Stanzas sorted by name (apt writes its cache's
// hash order); Architecture is the recipe's for `all` packages, as apt records them.
std::string apt_extended_states(const resolve::deb::Plan& plan,
                                const std::map<std::string, std::vector<std::string>>& dependencies,
                                const std::string& architecture);

} // namespace compose::pipeline
