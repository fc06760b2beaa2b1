// The image's /etc/passwd, /etc/group and /etc/shadow as editable tables, with the
// id allocation of busybox adduser/addgroup. Owners in the image are resolved against
// these files, never against the host's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stage/tree.hpp"

namespace compose::unpack {

// One colon-separated file, kept line by line so that lines we do not touch are written
// back byte for byte.
class AccountFile {
public:
  AccountFile() = default;
  explicit AccountFile(std::string_view text);

  // The row whose first field is `name`, or nullptr.
  std::vector<std::string>* find(std::string_view name);
  const std::vector<std::string>* find(std::string_view name) const;
  // The first row whose field `column` is `value`.
  const std::vector<std::string>* find_by(std::size_t column, std::string_view value) const;
  void append(std::vector<std::string> row); // as busybox update_passwd: at the end
  std::string text() const;
  bool changed() const { return m_changed; }
  void mark_changed() { m_changed = true; }

private:
  std::vector<std::vector<std::string>> m_rows;
  bool m_changed = false;
};

class Accounts {
public:
  // Reads etc/passwd, etc/group and etc/shadow from the tree (absent files are empty;
  // shadow stays absent and is then not written, as busybox does).
  static Accounts load(const stage::Tree& tree);
  // From file texts (an installer overlays a package's own passwd/group this way).
  static Accounts parse(std::string_view passwd, std::string_view group);

  std::optional<std::uint32_t> uid_of(std::string_view user) const;
  std::optional<std::uint32_t> gid_of(std::string_view group) const;
  bool has_user(std::string_view user) const { return uid_of(user).has_value(); }
  bool has_group(std::string_view group) const { return gid_of(group).has_value(); }
  bool uid_taken(std::uint32_t uid) const;
  bool gid_taken(std::uint32_t gid) const;
  std::optional<std::uint32_t> primary_gid(std::string_view user) const;

  // busybox addgroup: `gid` fixed when given, else the first free id from 100 (system)
  // or 1000. Throws Error with busybox's wording ("group 'x' in use", "gid '5' in use").
  std::uint32_t add_group(const std::string& name, std::optional<std::uint32_t> gid, bool system);
  // busybox "addgroup USER GROUP": membership; a no-op when already a member.
  void add_member(const std::string& group, const std::string& user);

  struct NewUser {
    std::string name;
    std::optional<std::uint32_t> uid;
    std::optional<std::string> group; // -G; system users default to "nogroup"
    std::string gecos = "Linux User,,,";
    std::string home;                 // default /home/<name>
    std::optional<std::string> shell; // system default /sbin/nologin (Alpine's patch)
    bool system = false;
  };
  // busybox adduser (without the home directory, which needs the tree): returns uid.
  // `days` is the shadow "last change" field (epoch / 86400).
  std::uint32_t add_user(const NewUser& user, std::int64_t days);

  // The shadow password field of `user` ("*": no password, key logins only); the passwd
  // field when the image has no shadow file.
  void set_password(const std::string& user, const std::string& field);

  // Writes changed files back, keeping each file's inode (mode, owner, links).
  void store(stage::Tree& tree, std::int64_t mtime) const;

private:
  AccountFile m_passwd, m_group, m_shadow;
  bool m_has_shadow = false;
};

} // namespace compose::unpack
