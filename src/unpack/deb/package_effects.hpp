// What the maintainer scripts of a few base packages do on a first installation, done on
// the tree: base-files (dot files, directories, /var/run -> /run), tzdata (UTC), dash (the
// /bin/sh diversion), debianutils (/etc/shells), openssh-server (sshd_config), plus the
// generic commands any postinst may use: setcap, dpkg-statoverride --add, dpkg-divert --add,
// install -d / mkdir / chmod / chown / touch / ln -s on literal paths, and cp / mv whose
// source a first installation does not have (deb.md §10).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "stage/tree.hpp"
#include "unpack/deb/dpkg_database.hpp"
#include "unpack/deb/system_users.hpp"

namespace compose::unpack::deb {

struct EffectContext {
  stage::Tree& tree;
  std::int64_t epoch = 0;
  DpkgState& state;
  SystemAccounts& accounts;
  std::vector<std::string>& warnings;
  std::uint32_t umask = 022; // the script's current umask, for touch
  std::set<std::string> created; // files touch made, which a later "rm" may take back
  bool ld_so_cache = false;       // ldconfig runs once after all packages (unpack/ldconfig)
};

// A package-specific reproduction of one script: what was done, the command names of the
// script it accounts for, and what it deliberately leaves out.
struct PackageEffect {
  std::vector<std::string> effects;
  std::set<std::string> covered;
  std::vector<std::string> left_out;
};

// nullopt when there is no special knowledge of this package's script.
std::optional<PackageEffect> reproduce_package_script(const std::string& package,
                                                      const std::string& script,
                                                      EffectContext& context);

// security.capability bytes (VFS_CAP_REVISION_2) for a setcap text such as
// "cap_net_raw+ep" or "cap_dac_override,cap_net_admin=ep"; nullopt for what we do not parse.
std::optional<std::string> capability_xattr(const std::string& text);

// One generic command line (words[0] is the program): setcap, dpkg-statoverride --add,
// dpkg-divert --add, install -d, mkdir, chmod, chown, chgrp, touch, ln -s, cp, mv. Returns what was done, "" when the
// call changes nothing on a first installation (queries, removals), nullopt otherwise.
std::optional<std::string> reproduce_command(const std::vector<std::string>& words,
                                             const std::string& package, EffectContext& context);

// /etc/shells and /var/lib/shells.state as update-shells writes them from
// usr/share/debianutils/shells and shells.d/*; "" when debianutils is absent.
std::string update_shells(EffectContext& context);

// Applies the recorded statoverrides (owner, group, mode) to the tree; run after the
// accounts exist.
void apply_statoverrides(EffectContext& context);

} // namespace compose::unpack::deb
