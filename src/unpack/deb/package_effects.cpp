// Script effects of individual base packages and of generic file commands; see
// package_effects.hpp.
#include "unpack/deb/package_effects.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <map>

#include "unpack/deb/tree_writes.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::unpack::deb {

namespace {

// Linux capability numbers (linux/capability.h), the names setcap accepts.
constexpr std::array<std::string_view, 41> k_capabilities = {
    "chown",           "dac_override",   "dac_read_search", "fowner",       "fsetid",
    "kill",            "setgid",         "setuid",          "setpcap",      "linux_immutable",
    "net_bind_service", "net_broadcast", "net_admin",       "net_raw",      "ipc_lock",
    "ipc_owner",       "sys_module",     "sys_rawio",       "sys_chroot",   "sys_ptrace",
    "sys_pacct",       "sys_admin",      "sys_boot",        "sys_nice",     "sys_resource",
    "sys_time",        "sys_tty_config", "mknod",           "lease",        "audit_write",
    "audit_control",   "setfcap",        "mac_override",    "mac_admin",    "syslog",
    "wake_alarm",      "block_suspend",  "audit_read",      "perfmon",      "bpf",
    "checkpoint_restore"};

std::string normalised(const std::string& path)
{
  return stage::Tree::normalise(path);
}

bool literal_path(const std::string& path)
{
  return path.starts_with("/") && path.find_first_of("$`*?") == std::string::npos;
}

std::shared_ptr<stage::Inode> find(const stage::Tree& tree, const std::string& path)
{
  return tree.find(normalised(path), stage::ParentSymlinks::follow);
}

void add_directory(EffectContext& context, const std::string& path, std::uint32_t mode,
                   std::uint32_t uid, std::uint32_t gid)
{
  write_directory(context.tree, path, mode, context.epoch, uid, gid);
}

void add_symlink(EffectContext& context, const std::string& path, const std::string& target)
{
  write_symlink(context.tree, path, target, context.epoch);
}

void add_file(EffectContext& context, const std::string& path, std::string bytes,
              std::uint32_t mode, std::uint32_t gid = 0)
{
  write_file(context.tree, path, std::move(bytes), mode, context.epoch, gid);
}

// "cp -p source target" when target is absent: the same inode data, a new name.
bool copy_if_absent(EffectContext& context, const std::string& source, const std::string& target)
{
  if (find(context.tree, target))
    return false;
  const std::shared_ptr<stage::Inode> file = context.tree.resolve(normalised(source));
  if (!file || file->type != stage::FileType::regular)
    return false;
  stage::Inode copy = *file;
  context.tree.add(normalised(target), std::move(copy), stage::Existing::replace,
                   stage::ParentSymlinks::follow, true);
  return true;
}

std::optional<std::uint32_t> octal(const std::string& text)
{
  std::uint32_t value = 0;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value, 8);
  if (text.empty() || status != std::errc() || end != text.data() + text.size() || value > 07777)
    return std::nullopt;
  return value;
}

std::optional<std::uint32_t> user_id(const EffectContext& context, const std::string& name)
{
  if (name.starts_with("#") || std::all_of(name.begin(), name.end(), ::isdigit)) {
    std::uint32_t value = 0;
    const std::string digits = name.starts_with("#") ? name.substr(1) : name;
    const auto [end, status] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (!digits.empty() && status == std::errc() && end == digits.data() + digits.size())
      return value;
    return std::nullopt;
  }
  return context.accounts.uid_of(name);
}

std::optional<std::uint32_t> group_id(const EffectContext& context, const std::string& name)
{
  if (name.starts_with("#") || std::all_of(name.begin(), name.end(), ::isdigit))
    return user_id(context, name);
  return context.accounts.gid_of(name);
}

PackageEffect base_files(EffectContext& context)
{
  PackageEffect result;
  result.covered = {"*"};
  stage::Tree& tree = context.tree;
  if (!find(tree, "/etc/dpkg/origins/default") && find(tree, "/etc/dpkg/origins/debian")) {
    add_symlink(context, "/etc/dpkg/origins/default", "debian");
    result.effects.push_back("/etc/dpkg/origins/default -> debian");
  }
  for (const auto& [name, target] : std::vector<std::pair<std::string, std::string>>{
           {"dot.profile", "/root/.profile"},
           {"dot.bashrc", "/root/.bashrc"},
           {"profile", "/etc/profile"},
           {"motd", "/etc/motd"}})
    if (copy_if_absent(context, "/usr/share/base-files/" + name, target))
      result.effects.push_back(target);
  const std::uint32_t mail = context.accounts.gid_of("mail").value_or(8);
  for (const auto& [path, mode, gid] : std::vector<std::tuple<std::string, std::uint32_t, std::uint32_t>>{
           {"/mnt", 0755, 0},
           {"/srv", 0755, 0},
           {"/opt", 0755, 0},
           {"/etc/opt", 0755, 0},
           {"/var/opt", 0755, 0},
           {"/media", 0755, 0},
           {"/var/mail", 02775, mail},
           {"/run/lock", 01777, 0}}) {
    if (!find(tree, path)) {
      add_directory(context, path, mode, 0, gid);
      result.effects.push_back(path + "/");
    }
  }
  if (const auto spool = find(tree, "/var/spool/mail"); !spool || spool->type != stage::FileType::symlink) {
    if (!spool) {
      add_symlink(context, "/var/spool/mail", "../mail");
      result.effects.push_back("/var/spool/mail -> ../mail");
    }
  }
  for (const auto& [path, target] : std::vector<std::pair<std::string, std::string>>{
           {"/var/run", "/run"}, {"/var/lock", "/run/lock"}}) {
    const auto inode = find(tree, path);
    if (inode && inode->type == stage::FileType::symlink)
      continue;
    if (inode && !inode->children.empty()) {
      context.warnings.push_back("base-files: " + path + " is not empty; not replaced by a link to " + target);
      continue;
    }
    tree.remove(normalised(path));
    add_symlink(context, path, target);
    result.effects.push_back(path + " -> " + target);
  }
  for (const char* directory : {"/usr/local", "/usr/local/share", "/usr/local/share/man",
                                "/usr/local/bin", "/usr/local/games", "/usr/local/lib",
                                "/usr/local/include", "/usr/local/sbin", "/usr/local/src",
                                "/usr/local/etc"})
    if (!find(tree, directory))
      add_directory(context, directory, 0755, 0, 0);
  add_symlink(context, "/usr/local/man", "share/man");
  result.effects.push_back("/usr/local/* directories and /usr/local/man -> share/man");
  // Empty login records with the owners and modes base-files gives them; no log content.
  const std::uint32_t utmp = context.accounts.gid_of("utmp").value_or(43);
  for (const auto& [path, mode] : std::vector<std::pair<std::string, std::uint32_t>>{
           {"/var/log/wtmp", 0664}, {"/var/log/btmp", 0660}, {"/var/log/lastlog", 0664}})
    if (!find(tree, path)) {
      add_file(context, path, "", mode, utmp);
      result.effects.push_back(path + " (empty)");
    }
  if (find(tree, "/usr/share/info") && !find(tree, "/usr/share/info/dir") &&
      copy_if_absent(context, "/usr/share/base-files/info.dir", "/usr/share/info/dir"))
    result.effects.push_back("/usr/share/info/dir");
  return result;
}

PackageEffect tzdata(EffectContext& context)
{
  // Without debconf answers the postinst picks Etc/UTC.
  PackageEffect result;
  result.covered = {"*"};
  if (!find(context.tree, "/etc/localtime")) {
    add_symlink(context, "/etc/localtime", "/usr/share/zoneinfo/Etc/UTC");
    result.effects.push_back("/etc/localtime -> /usr/share/zoneinfo/Etc/UTC");
  }
  add_file(context, "/etc/timezone", "Etc/UTC\n", 0644);
  result.effects.push_back("/etc/timezone Etc/UTC");
  return result;
}

PackageEffect dash(EffectContext& context)
{
  // claim_binsh: dash diverts /bin/sh (and sh.1.gz) to *.distrib without renaming and
  // points the link at itself, /bin/sh first, then the man page.
  PackageEffect result;
  result.covered = {"*"};
  context.state.diversions.push_back({"/bin/sh", "/bin/sh.distrib", "dash"});
  context.state.diversions.push_back(
      {"/usr/share/man/man1/sh.1.gz", "/usr/share/man/man1/sh.distrib.1.gz", "dash"});
  add_symlink(context, "/bin/sh", "dash");
  result.effects.push_back("diverted /bin/sh to /bin/sh.distrib; /bin/sh -> dash");
  if (find(context.tree, "/usr/share/man/man1")) {
    add_symlink(context, "/usr/share/man/man1/sh.1.gz", "dash.1.gz");
    result.effects.push_back("/usr/share/man/man1/sh.1.gz -> dash.1.gz");
  }
  return result;
}

// The text of a regular file in the tree, "" when it is absent.
std::string file_text(const stage::Tree& tree, const std::string& path)
{
  const auto inode = find(tree, path);
  return inode && inode->type == stage::FileType::regular ? inode->content.read()
                                                          : std::string();
}

// What "ucf NEW DEST" and "ucfr PACKAGE DEST" record on a first installation: the md5 of
// DEST in hashfile, a pristine copy in cache/ (named by DEST with '/' as ':'), PACKAGE in
// registry, and each list's previous state in its ".0" backup, as ucf leaves them.
void register_with_ucf(EffectContext& context, const std::string& package,
                       const std::string& destination)
{
  const std::string state = "/var/lib/ucf";
  const std::string bytes = file_text(context.tree, destination);
  auto append = [&](const std::string& name, const std::string& line) {
    const std::string previous = file_text(context.tree, state + "/" + name);
    add_file(context, state + "/" + name + ".0", previous, 0644);
    add_file(context, state + "/" + name, previous + line, 0644);
  };
  append("hashfile", to_hex(digest(DigestAlgorithm::md5, bytes)) + "  " + destination + "\n");
  std::string cached = destination;
  std::replace(cached.begin(), cached.end(), '/', ':');
  add_directory(context, state + "/cache", 0755, 0, 0);
  add_file(context, state + "/cache/" + cached, bytes, 0644);
  append("registry", package + " \t " + destination + "\n");
}

PackageEffect openssh_server(EffectContext& context)
{
  // ucf installs the packaged sshd_config; the debconf defaults change nothing in it.
  PackageEffect result;
  result.covered = {"ucf", "ucfr", "cp", "sed", "mktemp", "rm", "mkdir", "cleanup",
                    "create_sshdconfig", "create_keys", "create_key", "host_keys_required",
                    "ssh-keygen", "chmod", "mv"};
  if (copy_if_absent(context, "/usr/share/openssh/sshd_config", "/etc/ssh/sshd_config")) {
    result.effects.push_back("/etc/ssh/sshd_config from /usr/share/openssh/sshd_config");
    register_with_ucf(context, "openssh-server", "/etc/ssh/sshd_config");
    result.effects.push_back("ucf and ucfr: /etc/ssh/sshd_config in /var/lib/ucf");
  }
  result.left_out.push_back(
      "ssh-keygen: host keys are never baked into an image; create them at first boot "
      "(ssh-keygen -A)");
  return result;
}

// chmod's "[ugoa]*[+-=][rwxst]*" (one clause): the bits it names and the operation.
std::optional<std::pair<std::uint32_t, char>> symbolic_mode(const std::string& text)
{
  const std::size_t op = text.find_first_of("+-=");
  if (op == std::string::npos || text.find_first_of("+-=", op + 1) != std::string::npos)
    return std::nullopt;
  std::string who = text.substr(0, op);
  if (who.empty() || who.find('a') != std::string::npos)
    who = "ugo";
  std::uint32_t bits = 0;
  for (char permission : text.substr(op + 1)) {
    for (char target : who) {
      const int shift = target == 'u' ? 6 : target == 'g' ? 3 : target == 'o' ? 0 : -1;
      if (shift < 0)
        return std::nullopt;
      if (permission == 'r' || permission == 'w' || permission == 'x')
        bits |= (permission == 'r' ? 4u : permission == 'w' ? 2u : 1u) << shift;
      else if (permission == 's' && target != 'o')
        bits |= target == 'u' ? 04000u : 02000u;
      else if (permission == 't')
        bits |= 01000u;
      else
        return std::nullopt;
    }
  }
  return std::pair(bits, text[op]);
}

std::string octal_text(std::uint32_t mode)
{
  char text[8];
  std::snprintf(text, sizeof text, "%o", mode);
  return text;
}

} // namespace

std::optional<std::string> capability_xattr(const std::string& text)
{
  std::uint64_t permitted = 0, inheritable = 0, effective = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    const std::string clause = text.substr(start, end - start);
    start = end + 1;
    if (clause.empty())
      continue;
    const std::size_t op = clause.find_first_of("=+-");
    if (op == std::string::npos)
      return std::nullopt;
    std::uint64_t mask = 0;
    const std::string names = clause.substr(0, op);
    for (std::size_t at = 0; at <= names.size();) {
      const std::size_t comma = std::min(names.find(',', at), names.size());
      std::string name = names.substr(at, comma - at);
      at = comma + 1;
      if (name == "all") {
        mask = (std::uint64_t(1) << k_capabilities.size()) - 1;
        continue;
      }
      if (name.starts_with("cap_"))
        name = name.substr(4);
      const auto found = std::find(k_capabilities.begin(), k_capabilities.end(), name);
      if (found == k_capabilities.end())
        return std::nullopt;
      mask |= std::uint64_t(1) << (found - k_capabilities.begin());
    }
    char action = 0;
    for (char c : clause.substr(op)) {
      if (c == '=' || c == '+' || c == '-') {
        action = c;
        if (c == '=') {
          permitted &= ~mask;
          inheritable &= ~mask;
          effective &= ~mask;
        }
        continue;
      }
      std::uint64_t* set = c == 'p' ? &permitted : c == 'i' ? &inheritable : c == 'e' ? &effective : nullptr;
      if (!set)
        return std::nullopt;
      if (action == '-')
        *set &= ~mask;
      else
        *set |= mask;
    }
  }
  // struct vfs_cap_data, revision 2, little-endian: magic_etc, then {permitted,
  // inheritable} for the low and the high 32 capability bits.
  const std::uint32_t magic = 0x02000000u | (effective ? 1u : 0u);
  std::string bytes;
  for (std::uint32_t word : {magic, static_cast<std::uint32_t>(permitted),
                             static_cast<std::uint32_t>(inheritable),
                             static_cast<std::uint32_t>(permitted >> 32),
                             static_cast<std::uint32_t>(inheritable >> 32)})
    for (int i = 0; i < 4; ++i)
      bytes += static_cast<char>((word >> (8 * i)) & 0xff);
  return bytes;
}

std::optional<PackageEffect> reproduce_package_script(const std::string& package,
                                                      const std::string& script,
                                                      EffectContext& context)
{
  if (package == "base-passwd" && script == "preinst") {
    // Writes minimal passwd/group files when there are none; the masters replace them.
    PackageEffect result;
    result.covered = {"*"};
    result.effects.push_back("/etc/passwd and /etc/group (from the masters, see postinst)");
    return result;
  }
  if (script != "postinst")
    return std::nullopt;
  if (package == "base-files")
    return base_files(context);
  if (package == "tzdata")
    return tzdata(context);
  if (package == "dash")
    return dash(context);
  if (package == "openssh-server")
    return openssh_server(context);
  if (package == "base-passwd") {
    // update-passwd only reconciles an existing /etc/passwd with the masters; on a first
    // installation the postinst copies them, which SystemAccounts::load does.
    PackageEffect result;
    result.covered = {"*"};
    result.effects.push_back("/etc/passwd and /etc/group from usr/share/base-passwd/*.master");
    return result;
  }
  if (package == "passwd") {
    PackageEffect result;
    result.covered = {"shadowconfig", "cat"};
    result.effects.push_back("shadowconfig on: /etc/shadow and /etc/gshadow for every account");
    return result;
  }
  if (package == "debianutils") {
    PackageEffect result;
    result.covered = {"cp", "update-shells"};
    result.effects.push_back("/etc/shells and /var/lib/shells.state (update-shells)");
    return result;
  }
  if (package == "ca-certificates") {
    PackageEffect result;
    result.covered = {"*"};
    result.effects.push_back(
        "/etc/ca-certificates.conf trusting every mozilla certificate, then "
        "update-ca-certificates (links, bundle, hash links)");
    return result;
  }
  return std::nullopt;
}

std::optional<std::string> reproduce_command(const std::vector<std::string>& words,
                                             const std::string& package, EffectContext& context)
{
  const std::string& program = words[0];
  if (program == "setcap") {
    if (words.size() == 3 && words[1] == "-r")
      return ""; // a fresh file has no capability to remove
    if (words.size() != 3 || !literal_path(words[2]))
      return std::nullopt;
    const std::optional<std::string> bytes = capability_xattr(words[1]);
    const std::shared_ptr<stage::Inode> file = find(context.tree, words[2]);
    if (!bytes || !file || file->type != stage::FileType::regular)
      return std::nullopt;
    file->xattrs["security.capability"] = *bytes;
    return "setcap " + words[1] + " " + words[2];
  }
  if (program == "dpkg-statoverride") {
    std::vector<std::string> rest;
    bool add = false;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i] == "--add")
        add = true;
      else if (words[i] == "--list" || words[i] == "--remove")
        return "";
      else if (!words[i].starts_with("--"))
        rest.push_back(words[i]);
    }
    if (!add || rest.size() != 4 || !literal_path(rest[3]))
      return std::nullopt;
    const std::optional<std::uint32_t> mode = octal(rest[2]);
    if (!mode)
      return std::nullopt;
    std::erase_if(context.state.statoverrides, [&](const auto& entry) { return entry.path == rest[3]; });
    context.state.statoverrides.push_back({rest[0], rest[1], *mode, rest[3]});
    return "statoverride " + rest[0] + ":" + rest[1] + " " + octal_text(*mode) + " " + rest[3];
  }
  if (program == "dpkg-divert") {
    std::string owner = package, divert, path;
    bool add = false, rename = false;
    for (std::size_t i = 1; i < words.size(); ++i) {
      const std::string& word = words[i];
      if (word == "--list" || word == "--listpackage" || word == "--truename" || word == "--remove")
        return "";
      if (word == "--add")
        add = true;
      else if (word == "--rename")
        rename = true;
      else if (word == "--local")
        owner = ":";
      else if ((word == "--package" || word == "--divert") && i + 1 < words.size())
        (word == "--package" ? owner : divert) = words[++i];
      else if (word == "--no-rename" || word == "--quiet")
        continue;
      else if (word.starts_with("-"))
        return std::nullopt;
      else
        path = word;
    }
    if (!literal_path(path) || (!divert.empty() && !literal_path(divert)))
      return std::nullopt;
    (void)add; // "dpkg-divert FILE" adds too
    if (divert.empty())
      divert = path + ".distrib";
    context.state.diversions.push_back({path, divert, owner});
    if (rename) {
      if (const auto inode = find(context.tree, path)) {
        stage::Inode moved = *inode;
        context.tree.remove(normalised(path));
        context.tree.add(normalised(divert), std::move(moved), stage::Existing::replace,
                         stage::ParentSymlinks::follow, true);
      }
    }
    return "diversion " + path + " -> " + divert + " (" + owner + ")";
  }
  if (program == "install" || program == "mkdir") {
    std::uint32_t mode = 0755;
    std::string owner, group;
    std::vector<std::string> paths;
    bool directory = program == "mkdir";
    for (std::size_t i = 1; i < words.size(); ++i) {
      std::string word = words[i];
      auto value = [&](char flag) -> std::optional<std::string> {
        if (word.size() > 2 && word[0] == '-' && word[1] == flag)
          return word.substr(2);
        if (word == std::string{'-', flag} && i + 1 < words.size())
          return words[++i];
        return std::nullopt;
      };
      if (word == "-d")
        directory = true;
      else if (word == "-p" || word == "-pZ" || word == "-Z")
        continue;
      else if (const auto m = value('m')) {
        const auto parsed = octal(*m);
        if (!parsed)
          return std::nullopt;
        mode = *parsed;
      } else if (program == "install" && (word.starts_with("-o"))) {
        owner = *value('o');
      } else if (program == "install" && (word.starts_with("-g"))) {
        group = *value('g');
      } else if (word.starts_with("-")) {
        return std::nullopt;
      } else {
        paths.push_back(word);
      }
    }
    if (!directory || paths.empty())
      return std::nullopt;
    const std::optional<std::uint32_t> uid = owner.empty() ? 0u : user_id(context, owner);
    const std::optional<std::uint32_t> gid = group.empty() ? 0u : group_id(context, group);
    if (!uid || !gid)
      return std::nullopt;
    std::string done;
    for (const auto& path : paths) {
      if (!literal_path(path))
        return std::nullopt;
      const auto existing = find(context.tree, path);
      if (existing && existing->type != stage::FileType::directory)
        return std::nullopt;
      if (existing && program == "mkdir")
        continue;
      add_directory(context, path, mode, *uid, *gid);
      done += (done.empty() ? "" : " ") + path;
    }
    return done.empty() ? "" : "directory " + done + " " + octal_text(mode);
  }
  if (program == "touch") {
    std::string done;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (!literal_path(words[i]))
        return std::nullopt;
      if (find(context.tree, words[i]))
        continue; // only the times would change
      add_file(context, words[i], "", 0666 & ~context.umask);
      context.created.insert(words[i]);
      done += " " + words[i];
    }
    return done.empty() ? "" : "touch" + done;
  }
  if (program == "ln") {
    // ln -s[f] TARGET LINK: made when LINK is absent; an existing LINK is left alone
    // unless it already is that link.
    std::vector<std::string> operands;
    bool symbolic = false;
    for (std::size_t i = 1; i < words.size(); ++i) {
      const std::string& word = words[i];
      if (word.starts_with("-")) {
        if (word.find_first_not_of("-sfnT") != std::string::npos)
          return std::nullopt;
        symbolic = symbolic || word.find('s') != std::string::npos;
      } else {
        operands.push_back(word);
      }
    }
    if (!symbolic || operands.size() != 2 || !literal_path(operands[1]) ||
        operands[0].find_first_of("$`") != std::string::npos)
      return std::nullopt;
    // Without -f, ln never replaces anything: on an existing name it fails, so scripts
    // only run it after testing that the name is free.
    const bool force = std::any_of(words.begin() + 1, words.end(), [](const std::string& word) {
      return word.starts_with("-") && word.find('f') != std::string::npos;
    });
    if (const auto existing = find(context.tree, operands[1]))
      return !force || (existing->type == stage::FileType::symlink && existing->target == operands[0])
                 ? std::optional<std::string>("")
                 : std::nullopt;
    add_symlink(context, operands[1], operands[0]);
    return operands[1] + " -> " + operands[0];
  }
  if (program == "cp" || program == "mv") {
    // Copying or moving what a first installation does not have changes nothing (the
    // script tested for it, or the command fails harmlessly); "cp [-p] FILE NEW" onto a
    // free name copies (install_from_default in base-files, libc-bin, readline-common).
    std::vector<std::string> operands;
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (words[i].starts_with("-")) {
        if (words[i].find_first_not_of("-pafdZ") != std::string::npos)
          return std::nullopt;
        continue;
      }
      if (!literal_path(words[i]))
        return std::nullopt;
      operands.push_back(words[i]);
    }
    if (operands.size() < 2)
      return std::nullopt;
    bool all_absent = true;
    for (std::size_t i = 0; i + 1 < operands.size(); ++i)
      all_absent = all_absent && !find(context.tree, operands[i]);
    if (all_absent)
      return "";
    if (program == "cp" && operands.size() == 2 && copy_if_absent(context, operands[0], operands[1]))
      return "copied " + operands[0] + " to " + operands[1];
    return std::nullopt;
  }
  if (program == "chmod" || program == "chown" || program == "chgrp") {
    if (words.size() < 3)
      return std::nullopt;
    const std::string& spec = words[1];
    std::optional<std::uint32_t> mode, uid, gid;
    std::optional<std::pair<std::uint32_t, char>> symbolic; // bits, '+' '-' or '='
    if (program == "chmod") {
      mode = octal(spec);
      if (!mode) {
        symbolic = symbolic_mode(spec);
        if (!symbolic)
          return std::nullopt;
      }
    } else if (program == "chgrp") {
      gid = group_id(context, spec);
      if (!gid)
        return std::nullopt;
    } else {
      const std::size_t colon = spec.find_first_of(":.");
      uid = user_id(context, spec.substr(0, colon));
      if (colon != std::string::npos)
        gid = group_id(context, spec.substr(colon + 1));
      if (!uid || (colon != std::string::npos && !gid))
        return std::nullopt;
    }
    for (std::size_t i = 2; i < words.size(); ++i) {
      const auto inode = literal_path(words[i]) ? find(context.tree, words[i]) : nullptr;
      if (!inode)
        return std::nullopt;
      if (mode)
        inode->mode = *mode;
      if (symbolic)
        inode->mode = symbolic->second == '+'   ? inode->mode | symbolic->first
                      : symbolic->second == '-' ? inode->mode & ~symbolic->first
                                                : symbolic->first;
      if (uid)
        inode->uid = *uid;
      if (gid)
        inode->gid = *gid;
    }
    std::string done = program + " " + spec;
    for (std::size_t i = 2; i < words.size(); ++i)
      done += " " + words[i];
    return done;
  }
  return std::nullopt;
}

std::string update_shells(EffectContext& context)
{
  const auto template_file = find(context.tree, "/usr/share/debianutils/shells");
  if (!template_file || template_file->type != stage::FileType::regular)
    return "";
  // The package's shells: the template, then shells.d/* in name order, each also under
  // its real directory (/bin/sh and /usr/bin/sh with merged /usr).
  std::vector<std::string> package_shells;
  auto read_shells = [&](std::string_view text) {
    while (!text.empty()) {
      const std::size_t end = std::min(text.find('\n'), text.size());
      std::string line(text.substr(0, end));
      text.remove_prefix(std::min(end + 1, text.size()));
      line = line.substr(0, line.find('#'));
      if (line.empty())
        continue;
      package_shells.push_back(line);
      const std::size_t slash = line.rfind('/');
      const std::string directory = line.substr(0, slash);
      if (const auto link = find(context.tree, directory);
          link && link->type == stage::FileType::symlink && slash != std::string::npos) {
        const std::string target = link->target.starts_with("/")
                                       ? link->target
                                       : directory.substr(0, directory.rfind('/') + 1) + link->target;
        package_shells.push_back(target + line.substr(slash));
      }
    }
  };
  read_shells(template_file->content.read());
  if (const auto directory = find(context.tree, "/usr/share/debianutils/shells.d"))
    for (const auto& [name, child] : directory->children)
      if (child->type == stage::FileType::regular)
        read_shells(child->content.read());

  const auto existing = find(context.tree, "/etc/shells");
  const std::string source = existing && existing->type == stage::FileType::regular
                                 ? existing->content.read()
                                 : template_file->content.read();
  std::string shells, state;
  std::vector<std::string> present;
  for (std::string_view text = source; !text.empty();) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string line(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::string shell = line.substr(0, line.find('#'));
    if (shell.empty() || std::find(present.begin(), present.end(), shell) == present.end()) {
      shells += line + "\n";
      if (!shell.empty())
        present.push_back(shell);
    }
  }
  std::size_t added = 0;
  for (const auto& shell : package_shells) {
    state += shell + "\n";
    if (std::find(present.begin(), present.end(), shell) == present.end()) {
      shells += shell + "\n";
      ++added;
    }
  }
  add_file(context, "/etc/shells", shells, 0644);
  add_file(context, "/var/lib/shells.state", state, 0644);
  return "/etc/shells with " + std::to_string(present.size() + added) + " shells";
}

void apply_statoverrides(EffectContext& context)
{
  for (const auto& entry : context.state.statoverrides) {
    const auto inode = find(context.tree, entry.path);
    const auto uid = user_id(context, entry.owner);
    const auto gid = group_id(context, entry.group);
    if (!inode || !uid || !gid) {
      context.warnings.push_back("statoverride " + entry.owner + ":" + entry.group + " " +
                                 entry.path + ": " +
                                 (!inode ? "no such file in the image" : "unknown owner or group"));
      continue;
    }
    inode->uid = *uid;
    inode->gid = *gid;
    inode->mode = entry.mode;
  }
}

} // namespace compose::unpack::deb
