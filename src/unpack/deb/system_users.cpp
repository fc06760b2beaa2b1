// Debian system accounts: base-passwd masters, adduser/addgroup/useradd/groupadd calls from
// maintainer scripts, and the shadow files; see system_users.hpp.
#include "unpack/deb/system_users.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "util/error.hpp"

namespace compose::unpack::deb {

namespace {

// adduser.conf defaults (FIRST_SYSTEM_UID … LAST_SYSTEM_GID) and login.defs' SYS_UID_MAX.
constexpr std::uint32_t k_first_system_id = 100;
constexpr std::uint32_t k_last_system_id = 999;
constexpr std::uint32_t k_nogroup = 65534;

std::string file_text(const stage::Tree& tree, const std::string& path)
{
  const std::shared_ptr<stage::Inode> inode = tree.find(path, stage::ParentSymlinks::follow);
  return inode && inode->type == stage::FileType::regular ? inode->content.read()
                                                          : std::string();
}

std::optional<std::uint32_t> number(const std::string& text)
{
  std::uint32_t value = 0;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || status != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

std::optional<std::uint32_t> column(const std::vector<std::string>* row, std::size_t index)
{
  return row && row->size() > index ? number((*row)[index]) : std::nullopt;
}

struct Options {
  std::map<std::string, std::string> values; // "--home" -> "/run/sshd"
  std::set<std::string> flags;               // "--system"
  std::vector<std::string> names;            // positional arguments
  bool unknown = false;
};

// Parses "--opt value", "--opt=value", "-o value" with the given option tables; long and
// short spellings are mapped to one key by `aliases`.
Options parse_options(const std::vector<std::string>& words, const std::set<std::string>& valued,
                      const std::set<std::string>& flags,
                      const std::map<std::string, std::string>& aliases)
{
  Options options;
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::string word = words[i];
    std::string value;
    bool has_value = false;
    if (word.starts_with("--") && word.find('=') != std::string::npos) {
      value = word.substr(word.find('=') + 1);
      word = word.substr(0, word.find('='));
      has_value = true;
    }
    if (const auto alias = aliases.find(word); alias != aliases.end())
      word = alias->second;
    if (valued.contains(word)) {
      if (!has_value) {
        if (i + 1 >= words.size()) {
          options.unknown = true;
          return options;
        }
        value = words[++i];
      }
      options.values[word] = value;
    } else if (flags.contains(word)) {
      options.flags.insert(word);
    } else if (word.starts_with("-")) {
      options.unknown = true;
    } else {
      options.names.push_back(word);
    }
  }
  return options;
}

std::vector<std::vector<std::string>> split_rows(const std::string& text)
{
  std::vector<std::vector<std::string>> rows;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    std::vector<std::string> fields;
    for (std::size_t at = 0;;) {
      const std::size_t colon = line.find(':', at);
      fields.push_back(line.substr(at, colon == std::string::npos ? std::string::npos : colon - at));
      if (colon == std::string::npos)
        break;
      at = colon + 1;
    }
    rows.push_back(std::move(fields));
  }
  return rows;
}

std::string join_fields(const std::vector<std::string>& fields)
{
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i)
    line += (i ? ":" : "") + fields[i];
  return line;
}

// adduser takes the first free id of the system range, useradd -r and systemd-sysusers
// the highest.
std::uint32_t first_free(const AccountFile& file, bool highest, const std::string& where)
{
  for (std::uint32_t i = 0; i <= k_last_system_id - k_first_system_id; ++i) {
    const std::uint32_t id = highest ? k_last_system_id - i : k_first_system_id + i;
    if (!file.find_by(2, std::to_string(id)))
      return id;
  }
  throw Error("no free system id in " + std::to_string(k_first_system_id) + "-" +
                  std::to_string(k_last_system_id),
              where);
}

} // namespace

SystemAccounts SystemAccounts::load(const stage::Tree& tree)
{
  SystemAccounts accounts;
  std::string passwd = file_text(tree, "etc/passwd");
  std::string group = file_text(tree, "etc/group");
  // base-passwd's postinst: "cp passwd.master /etc/passwd" when there is none yet.
  if (passwd.empty())
    passwd = file_text(tree, "usr/share/base-passwd/passwd.master");
  if (group.empty())
    group = file_text(tree, "usr/share/base-passwd/group.master");
  accounts.m_passwd = AccountFile(passwd);
  accounts.m_group = AccountFile(group);
  return accounts;
}

std::optional<std::uint32_t> SystemAccounts::uid_of(const std::string& user) const
{
  return column(m_passwd.find(user), 2);
}

std::optional<std::uint32_t> SystemAccounts::gid_of(const std::string& group) const
{
  return column(m_group.find(group), 2);
}

std::uint32_t SystemAccounts::free_uid(bool highest) const
{
  return first_free(m_passwd, highest, "/etc/passwd");
}

std::uint32_t SystemAccounts::free_gid(bool highest) const
{
  return first_free(m_group, highest, "/etc/group");
}

std::optional<std::string> SystemAccounts::apply(const std::vector<std::string>& words)
{
  if (words.empty())
    return std::nullopt;
  const std::string& program = words[0];
  if (program == "adduser" || program == "useradd")
    return add_user(words, program == "useradd");
  if (program == "addgroup" || program == "groupadd")
    return add_group(words, program == "groupadd");
  return std::nullopt;
}

std::optional<std::string> SystemAccounts::add_group(const std::vector<std::string>& words,
                                                     bool groupadd)
{
  const Options options =
      groupadd ? parse_options(words, {"--gid"}, {"--system", "--force"},
                               {{"-g", "--gid"}, {"-r", "--system"}, {"-f", "--force"}})
               : parse_options(words, {"--gid", "--conf"},
                               {"--system", "--quiet", "--force-badname", "--allow-badname",
                                "--allow-all-names", "--debug", "--verbose"},
                               {{"-q", "--quiet"}});
  if (options.unknown)
    return std::nullopt;
  if (!groupadd && options.names.size() == 2) {
    // "addgroup USER GROUP" adds a member, like "adduser USER GROUP".
    return add_user({"adduser", options.names[0], options.names[1]}, false);
  }
  if (options.names.size() != 1)
    return std::nullopt;
  const std::string& name = options.names[0];
  if (const auto gid = gid_of(name))
    return "group " + name + " exists (gid " + std::to_string(*gid) + ")";
  std::uint32_t gid = 0;
  if (const auto wanted = options.values.find("--gid"); wanted != options.values.end()) {
    const auto fixed = number(wanted->second);
    if (!fixed || m_group.find_by(2, wanted->second))
      return std::nullopt; // groupadd would fail: the script's fallback is not modelled
    gid = *fixed;
  } else if (options.flags.contains("--system") || groupadd) {
    gid = free_gid(groupadd);
  } else {
    return std::nullopt; // a non-system group in a maintainer script is not modelled
  }
  m_group.append({name, "x", std::to_string(gid), ""});
  m_added_groups.push_back(name);
  return std::string(groupadd ? "groupadd " : "addgroup ") + name + " (gid " +
         std::to_string(gid) + ")";
}

std::optional<std::string> SystemAccounts::add_user(const std::vector<std::string>& words,
                                                    bool useradd)
{
  const Options options =
      useradd ? parse_options(words, {"--home-dir", "--shell", "--gid", "--uid", "--comment"},
                              {"--system", "--no-create-home", "--create-home", "--user-group",
                               "--no-user-group"},
                              {{"-d", "--home-dir"},
                               {"-s", "--shell"},
                               {"-g", "--gid"},
                               {"-u", "--uid"},
                               {"-c", "--comment"},
                               {"-r", "--system"},
                               {"-M", "--no-create-home"},
                               {"-m", "--create-home"},
                               {"-U", "--user-group"},
                               {"-N", "--no-user-group"}})
              : parse_options(words,
                              {"--home", "--shell", "--uid", "--gid", "--ingroup", "--gecos",
                               "--comment", "--conf"},
                              {"--system", "--group", "--quiet", "--disabled-password",
                               "--disabled-login", "--no-create-home", "--force-badname",
                               "--allow-badname", "--allow-all-names", "--debug", "--verbose"},
                              {{"-q", "--quiet"}});
  if (options.unknown)
    return std::nullopt;
  auto value = [&](const std::string& key) {
    const auto found = options.values.find(key);
    return found == options.values.end() ? std::optional<std::string>() : found->second;
  };

  if (!useradd && options.names.size() == 2 && !options.flags.contains("--system")) {
    // "adduser USER GROUP": membership.
    const std::string& user = options.names[0];
    std::vector<std::string>* row = m_group.find(options.names[1]);
    if (!m_passwd.find(user) || !row)
      return std::nullopt;
    row->resize(std::max<std::size_t>(row->size(), 4));
    std::string& members = (*row)[3];
    if (("," + members + ",").find("," + user + ",") == std::string::npos) {
      members += (members.empty() ? "" : ",") + user;
      m_group.mark_changed();
    }
    return "adduser " + user + " " + options.names[1] + " (membership)";
  }
  if (options.names.size() != 1)
    return std::nullopt;
  const std::string& name = options.names[0];
  const bool system = options.flags.contains("--system");
  if (!useradd && !system)
    return std::nullopt; // a normal user from a maintainer script is not modelled
  if (!useradd && options.flags.contains("--group") && !m_passwd.find(name) && !system)
    return add_group({"addgroup", name}, false);
  if (const auto uid = uid_of(name))
    return "user " + name + " exists (uid " + std::to_string(*uid) + ")";

  // The group first (adduser --group, useradd's default user group), then the user.
  std::uint32_t gid = k_nogroup;
  std::string group_effect;
  const bool own_group = useradd ? !options.flags.contains("--no-user-group") && !value("--gid")
                                 : options.flags.contains("--group");
  if (const auto ingroup = useradd ? value("--gid") : value("--ingroup")) {
    const auto numeric = number(*ingroup);
    const auto known = numeric ? numeric : gid_of(*ingroup);
    if (!known)
      return std::nullopt;
    gid = *known;
  } else if (const auto fixed = useradd ? std::nullopt : value("--gid")) {
    const auto numeric = number(*fixed);
    if (!numeric)
      return std::nullopt;
    gid = *numeric;
  } else if (own_group) {
    if (const auto existing = gid_of(name)) {
      gid = *existing;
    } else {
      gid = free_gid(useradd);
      m_group.append({name, "x", std::to_string(gid), ""});
      m_added_groups.push_back(name);
      group_effect = ", group " + name + " gid " + std::to_string(gid);
    }
  }
  std::uint32_t uid = 0;
  if (const auto fixed = value("--uid")) {
    const auto numeric = number(*fixed);
    if (!numeric || m_passwd.find_by(2, *fixed))
      return std::nullopt;
    uid = *numeric;
  } else {
    uid = free_uid(useradd);
  }
  const std::string home =
      value(useradd ? "--home-dir" : "--home").value_or(useradd ? "/home/" + name : "/nonexistent");
  const std::string shell = value("--shell").value_or(useradd ? "/bin/sh" : "/usr/sbin/nologin");
  const std::string gecos = value(useradd ? "--comment" : "--gecos").value_or(value("--comment").value_or(""));
  m_passwd.append({name, "x", std::to_string(uid), std::to_string(gid), gecos, home, shell});
  m_added_users.push_back(name);
  return std::string(useradd ? "useradd " : "adduser ") + name + " (uid " + std::to_string(uid) +
         ", gid " + std::to_string(gid) + group_effect + ", home " + home + ")";
}

std::optional<std::string> SystemAccounts::apply_sysusers(const std::vector<std::string>& words,
                                                          const stage::Tree& tree)
{
  std::vector<std::string> done;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string& name = words[i];
    if (name.empty() || name.starts_with("--"))
      continue; // "--root=" with an empty root
    if (name.find('/') != std::string::npos)
      return std::nullopt;
    std::string text = file_text(tree, "etc/sysusers.d/" + name);
    if (text.empty())
      text = file_text(tree, "usr/lib/sysusers.d/" + name);
    if (text.empty())
      return std::nullopt;
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t end = std::min(text.find('\n', start), text.size());
      const std::string line = text.substr(start, end - start);
      start = end + 1;
      // Fields separated by blanks; a double-quoted field may hold blanks (the GECOS).
      std::vector<std::string> fields;
      for (std::size_t at = 0; at < line.size();) {
        at = line.find_first_not_of(" \t", at);
        if (at == std::string::npos)
          break;
        if (line[at] == '"') {
          const std::size_t close = std::min(line.find('"', at + 1), line.size());
          fields.push_back(line.substr(at + 1, close - at - 1));
          at = close + 1;
        } else {
          const std::size_t stop = std::min(line.find_first_of(" \t", at), line.size());
          fields.push_back(line.substr(at, stop - at));
          at = stop;
        }
      }
      if (fields.empty() || fields[0].starts_with("#"))
        continue;
      auto field = [&](std::size_t index) {
        return index < fields.size() && fields[index] != "-" ? fields[index] : std::string();
      };
      const std::string type = fields[0];
      const std::string account = field(1);
      const std::string id = field(2);
      if (type == "r")
        continue; // ranges: the default system range is what we allocate from
      if (type == "m") {
        std::vector<std::string>* row = m_group.find(field(2));
        if (!row || !m_passwd.find(account))
          return std::nullopt;
        row->resize(std::max<std::size_t>(row->size(), 4));
        if (("," + (*row)[3] + ",").find("," + account + ",") == std::string::npos) {
          (*row)[3] += ((*row)[3].empty() ? "" : ",") + account;
          m_group.mark_changed();
        }
        continue;
      }
      if ((type != "g" && type != "u") || account.empty() ||
          id.find_first_not_of("0123456789:") != std::string::npos)
        return std::nullopt;
      if (type == "g") {
        if (gid_of(account))
          continue;
        const auto fixed = number(id);
        const std::uint32_t gid =
            fixed && !m_group.find_by(2, id) ? *fixed : free_gid(true);
        m_group.append({account, "x", std::to_string(gid), ""});
        m_sysusers.push_back(account);
        done.push_back("group " + account + " (gid " + std::to_string(gid) + ")");
        continue;
      }
      if (uid_of(account))
        continue;
      std::optional<std::uint32_t> uid, gid;
      if (const std::size_t colon = id.find(':'); colon != std::string::npos) {
        uid = number(id.substr(0, colon));
        gid = number(id.substr(colon + 1));
      } else if (!id.empty()) {
        uid = number(id);
      }
      if (!uid) {
        // The highest id free both as a uid and as a gid, so user and group match.
        for (std::uint32_t candidate = k_last_system_id; candidate >= k_first_system_id; --candidate)
          if (!m_passwd.find_by(2, std::to_string(candidate)) &&
              !m_group.find_by(2, std::to_string(candidate))) {
            uid = candidate;
            break;
          }
        if (!uid)
          return std::nullopt;
      }
      if (!gid)
        gid = gid_of(account);
      if (!gid) {
        gid = m_group.find_by(2, std::to_string(*uid)) ? free_gid(true) : *uid;
        m_group.append({account, "x", std::to_string(*gid), ""});
      }
      m_passwd.append({account, "x", std::to_string(*uid), std::to_string(*gid), field(3),
                       field(4).empty() ? "/" : field(4),
                       field(5).empty() ? "/usr/sbin/nologin" : field(5)});
      m_sysusers.push_back(account);
      done.push_back("user " + account + " (uid " + std::to_string(*uid) + ", gid " +
                     std::to_string(*gid) + ")");
    }
  }
  return "systemd-sysusers: " + (done.empty() ? std::string("nothing new") : [&] {
    std::string text;
    for (const auto& item : done)
      text += (text.empty() ? "" : ", ") + item;
    return text;
  }());
}

void SystemAccounts::store(stage::Tree& tree, std::int64_t epoch) const
{
  const std::string days = std::to_string(epoch / 86400);
  auto added = [](const std::vector<std::string>& list, const std::string& name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  // pwconv/grpconv (shadowconfig on) move the password field into the shadow files.
  std::string passwd, shadow, group, gshadow;
  for (std::vector<std::string> fields : split_rows(m_passwd.text())) {
    if (fields.size() < 7) {
      passwd += join_fields(fields) + "\n";
      continue;
    }
    const bool is_system = added(m_sysusers, fields[0]);
    const bool is_added = is_system || added(m_added_users, fields[0]);
    const std::string password = is_system  ? "!*"
                                 : is_added ? "!"
                                            : (fields[1] == "x" ? "*" : fields[1]);
    fields[1] = "x";
    passwd += join_fields(fields) + "\n";
    shadow += fields[0] + ":" + password + ":" + days + (is_added ? "::::::\n" : ":0:99999:7:::\n");
  }
  for (std::vector<std::string> fields : split_rows(m_group.text())) {
    if (fields.size() < 3) {
      group += join_fields(fields) + "\n";
      continue;
    }
    fields.resize(std::max<std::size_t>(fields.size(), 4));
    const bool is_system = added(m_sysusers, fields[0]);
    const std::string password = is_system                          ? "!*"
                                 : added(m_added_groups, fields[0]) ? "!"
                                                                    : (fields[1] == "x" ? "*" : fields[1]);
    group += fields[0] + ":x:" + fields[2] + ":" + fields[3] + "\n";
    gshadow += fields[0] + ":" + password + "::" + fields[3] + "\n";
  }

  const std::uint32_t shadow_gid = gid_of("shadow").value_or(42);
  auto write = [&](const std::string& path, const std::string& text, std::uint32_t mode,
                   std::uint32_t gid) {
    stage::Inode inode;
    inode.mode = mode;
    inode.gid = gid;
    inode.mtime = epoch;
    inode.content = stage::Content(text);
    tree.add(path, std::move(inode), stage::Existing::replace, stage::ParentSymlinks::follow,
             true);
  };
  // The "-" files are the backups shadow's tools keep; a fresh system has them with the
  // same accounts, so apt/dpkg tools and pwck see a consistent pair.
  for (const char* suffix : {"", "-"}) {
    write(std::string("etc/passwd") + suffix, passwd, 0644, 0);
    write(std::string("etc/group") + suffix, group, 0644, 0);
    write(std::string("etc/shadow") + suffix, shadow, 0640, shadow_gid);
    write(std::string("etc/gshadow") + suffix, gshadow, 0640, shadow_gid);
  }
}

} // namespace compose::unpack::deb
