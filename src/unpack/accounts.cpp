// passwd/group/shadow tables and busybox's id allocation; see accounts.hpp.
#include "unpack/accounts.hpp"

#include <algorithm>
#include <charconv>

#include "util/error.hpp"

namespace compose::unpack {

namespace {

// busybox defaults (CONFIG_FIRST_SYSTEM_ID, CONFIG_LAST_SYSTEM_ID, CONFIG_LAST_ID), which
// Alpine's configuration keeps.
constexpr std::uint32_t k_first_system_id = 100;
constexpr std::uint32_t k_last_system_id = 999;
constexpr std::uint32_t k_last_id = 60000;

std::vector<std::string> split_fields(std::string_view line)
{
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = line.find(':', start);
    fields.emplace_back(line.substr(start, colon == std::string_view::npos ? line.size() - start
                                                                            : colon - start));
    if (colon == std::string_view::npos)
      return fields;
    start = colon + 1;
  }
}

std::optional<std::uint32_t> number_field(const std::vector<std::string>* row, std::size_t column)
{
  if (!row || row->size() <= column)
    return std::nullopt;
  const std::string& text = (*row)[column];
  std::uint32_t value = 0;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (status != std::errc() || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

std::string file_text(const stage::Tree& tree, const std::string& path, bool& present)
{
  const std::shared_ptr<stage::Inode> inode = tree.find(path);
  present = inode && inode->type == stage::FileType::regular;
  return present ? inode->content.read() : std::string();
}

std::vector<std::string> split_members(const std::string& list)
{
  std::vector<std::string> members;
  std::size_t start = 0;
  while (start < list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    if (comma > start)
      members.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return members;
}

} // namespace

AccountFile::AccountFile(std::string_view text)
{
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    m_rows.push_back(split_fields(text.substr(start, end - start)));
    start = end + 1;
  }
}

std::vector<std::string>* AccountFile::find(std::string_view name)
{
  for (auto& row : m_rows)
    if (!row.empty() && row[0] == name)
      return &row;
  return nullptr;
}

const std::vector<std::string>* AccountFile::find(std::string_view name) const
{
  return const_cast<AccountFile*>(this)->find(name);
}

const std::vector<std::string>* AccountFile::find_by(std::size_t column,
                                                     std::string_view value) const
{
  for (const auto& row : m_rows)
    if (row.size() > column && row[column] == value && !row[0].starts_with("#"))
      return &row;
  return nullptr;
}

void AccountFile::append(std::vector<std::string> row)
{
  m_rows.push_back(std::move(row));
  m_changed = true;
}

std::string AccountFile::text() const
{
  std::string text;
  for (const auto& row : m_rows) {
    for (std::size_t i = 0; i < row.size(); ++i)
      text += (i ? ":" : "") + row[i];
    text += '\n';
  }
  return text;
}

Accounts Accounts::load(const stage::Tree& tree)
{
  Accounts accounts;
  bool present = false;
  accounts.m_passwd = AccountFile(file_text(tree, "etc/passwd", present));
  accounts.m_group = AccountFile(file_text(tree, "etc/group", present));
  accounts.m_shadow = AccountFile(file_text(tree, "etc/shadow", accounts.m_has_shadow));
  return accounts;
}

Accounts Accounts::parse(std::string_view passwd, std::string_view group)
{
  Accounts accounts;
  accounts.m_passwd = AccountFile(passwd);
  accounts.m_group = AccountFile(group);
  return accounts;
}

std::optional<std::uint32_t> Accounts::uid_of(std::string_view user) const
{
  return number_field(m_passwd.find(user), 2);
}

std::optional<std::uint32_t> Accounts::gid_of(std::string_view group) const
{
  return number_field(m_group.find(group), 2);
}

std::optional<std::uint32_t> Accounts::primary_gid(std::string_view user) const
{
  return number_field(m_passwd.find(user), 3);
}

bool Accounts::uid_taken(std::uint32_t uid) const
{
  return m_passwd.find_by(2, std::to_string(uid)) != nullptr;
}

bool Accounts::gid_taken(std::uint32_t gid) const
{
  return m_group.find_by(2, std::to_string(gid)) != nullptr;
}

std::uint32_t Accounts::add_group(const std::string& name, std::optional<std::uint32_t> gid,
                                  bool system)
{
  if (has_group(name))
    throw Error("group " + quote(name) + " in use", "/etc/group");
  std::uint32_t chosen = gid.value_or(system ? k_first_system_id : k_last_system_id + 1);
  const std::uint32_t max = system && !gid ? k_last_system_id : k_last_id;
  while (gid_taken(chosen)) {
    if (gid)
      throw Error("gid " + quote(std::to_string(chosen)) + " in use", "/etc/group");
    if (chosen >= max)
      throw Error("no gids left", "/etc/group");
    ++chosen;
  }
  m_group.append({name, "x", std::to_string(chosen), ""});
  return chosen;
}

void Accounts::add_member(const std::string& group, const std::string& user)
{
  if (!has_user(user))
    throw Error("unknown user " + quote(user), "/etc/passwd");
  std::vector<std::string>* row = m_group.find(group);
  if (!row || row->size() < 3)
    throw Error("unknown group " + quote(group), "/etc/group");
  if (row->size() < 4)
    row->resize(4);
  std::vector<std::string> members = split_members((*row)[3]);
  if (std::find(members.begin(), members.end(), user) != members.end())
    return;
  (*row)[3] += ((*row)[3].empty() ? "" : ",") + user;
  m_group.mark_changed();
}

std::uint32_t Accounts::add_user(const NewUser& user, std::int64_t days)
{
  if (has_user(user.name))
    throw Error("user " + quote(user.name) + " in use", "/etc/passwd");
  std::optional<std::uint32_t> gid;
  const std::optional<std::string> group =
      user.group ? user.group : (user.system ? std::optional<std::string>("nogroup") : std::nullopt);
  if (group) {
    gid = gid_of(*group);
    if (!gid)
      throw Error("unknown group " + quote(*group), "/etc/group");
  }
  std::uint32_t uid = user.uid.value_or(user.system ? k_first_system_id : k_last_system_id + 1);
  const std::uint32_t max = user.system && !user.uid ? k_last_system_id : k_last_id;
  // busybox passwd_study: a free uid, which must also be a free gid when the user gets a
  // group of its own (gid = uid).
  while (uid_taken(uid) || (!gid && gid_taken(uid))) {
    if (user.uid)
      throw Error("uid " + quote(std::to_string(uid)) + " in use", "/etc/passwd");
    if (uid >= max)
      throw Error("no uids left", "/etc/passwd");
    ++uid;
  }
  if (!gid && has_group(user.name))
    throw Error("group " + quote(user.name) + " in use", "/etc/group");

  std::string shell;
  if (user.shell)
    shell = *user.shell;
  else if (user.system)
    shell = "/sbin/nologin";
  else {
    // busybox takes the invoking user's (root's) shell.
    const std::vector<std::string>* root = m_passwd.find("root");
    shell = root && root->size() > 6 && !(*root)[6].empty() ? (*root)[6] : "/bin/sh";
  }
  const std::string home = user.home.empty() ? "/home/" + user.name : user.home;
  const std::uint32_t primary = gid.value_or(uid);
  m_passwd.append({user.name, "x", std::to_string(uid), std::to_string(primary), user.gecos, home,
                   shell});
  if (m_has_shadow)
    m_shadow.append({user.name, "!", std::to_string(days), "0", "99999", "7", "", "", ""});
  if (group)
    add_member(*group, user.name);
  else
    add_group(user.name, uid, false);
  return uid;
}

void Accounts::set_password(const std::string& user, const std::string& field)
{
  AccountFile& file = m_has_shadow ? m_shadow : m_passwd;
  std::vector<std::string>* row = file.find(user);
  if (!row || row->size() < 2)
    throw Error("no user " + quote(user), m_has_shadow ? "/etc/shadow" : "/etc/passwd");
  (*row)[1] = field;
  file.mark_changed();
}

void Accounts::store(stage::Tree& tree, std::int64_t mtime) const
{
  const auto write = [&](const AccountFile& file, const std::string& path, std::uint32_t mode) {
    if (!file.changed())
      return;
    if (const std::shared_ptr<stage::Inode> inode = tree.find(path)) {
      if (inode->type != stage::FileType::regular)
        throw Error("expected a regular file, found a " +
                        std::string(stage::file_type_name(inode->type)),
                    "/" + path);
      inode->content = stage::Content(file.text());
      return;
    }
    stage::Inode inode;
    inode.mode = mode;
    inode.mtime = mtime;
    inode.content = stage::Content(file.text());
    tree.add(path, std::move(inode), stage::Existing::replace, stage::ParentSymlinks::reject,
             true);
  };
  write(m_passwd, "etc/passwd", 0644);
  write(m_group, "etc/group", 0644);
  if (m_has_shadow)
    write(m_shadow, "etc/shadow", 0640);
}

} // namespace compose::unpack
