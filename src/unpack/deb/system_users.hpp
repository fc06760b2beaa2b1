// Debian's accounts without running adduser: base-passwd's passwd/group masters, the
// system users and groups that postinsts create with adduser/addgroup/useradd/groupadd
// (ids allocated as adduser 3.x and shadow's useradd do, deterministically in install
// order), and the shadow files shadowconfig would leave (deb.md §10).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stage/tree.hpp"
#include "unpack/accounts.hpp"

namespace compose::unpack::deb {

class SystemAccounts {
public:
  // Reads etc/passwd and etc/group; when absent, base-passwd's masters from
  // usr/share/base-passwd (as its postinst copies them).
  static SystemAccounts load(const stage::Tree& tree);

  // One adduser/addgroup/useradd/groupadd command line (words[0] is the program).
  // Returns what was done ("adduser sshd (uid 101, gid 65534)", "user _apt exists"), or
  // nullopt when the call uses options we do not model (the caller reports it).
  std::optional<std::string> apply(const std::vector<std::string>& words);

  // "systemd-sysusers FILE…": the named usr/lib/sysusers.d files (etc/sysusers.d wins),
  // with systemd's allocation (dynamic ids from 999 downwards, a user's own group sharing
  // its number). Returns what was done, or nullopt for lines we do not model.
  std::optional<std::string> apply_sysusers(const std::vector<std::string>& words,
                                            const stage::Tree& tree);

  std::optional<std::uint32_t> uid_of(const std::string& user) const;
  std::optional<std::uint32_t> gid_of(const std::string& group) const;

  // Writes passwd, group, shadow and gshadow (0640 root:shadow) and their "-" backups.
  // Every account gets a shadow line: base accounts "*" with pwconv's aging fields,
  // accounts added here "!" with only the change day, as a real bookworm system has.
  void store(stage::Tree& tree, std::int64_t epoch) const;

private:
  std::optional<std::string> add_user(const std::vector<std::string>& words, bool useradd);
  std::optional<std::string> add_group(const std::vector<std::string>& words, bool groupadd);
  std::uint32_t free_uid(bool highest) const;
  std::uint32_t free_gid(bool highest) const;

  AccountFile m_passwd, m_group;
  std::vector<std::string> m_added_users, m_added_groups; // locked with "!" in shadow
  std::vector<std::string> m_sysusers;                    // locked with "!*" (sysusers)
};

} // namespace compose::unpack::deb
