// pam-auth-update without running it: the default profiles of usr/share/pam-configs
// merged into /etc/pam.d/common-{auth,account,password,session,session-noninteractive}
// from libpam-runtime's templates in usr/share/pam, plus the state it keeps in /var/lib/pam,
// as a first "pam-auth-update --package" writes them.
#pragma once

#include <cstdint>
#include <string>

#include "stage/tree.hpp"

namespace compose::unpack::deb {

// Returns a summary ("pam-auth-update: unix, systemd, capability"), or "" when
// libpam-runtime's templates are absent. Throws Error naming a template without
// pam-auth-update's markers.
std::string apply_pam_auth_update(stage::Tree& tree, std::int64_t epoch);

} // namespace compose::unpack::deb
