// The recipe schema, overlays: [[groups]], [[users]], [ssh], [supervisor] with
// [[supervisor.programs]], [init], [[files]] and [cleanup] — what a recipe adds on top of
// the installed packages.
#include <algorithm>

#include "recipe/schema_parts.hpp"
#include "util/error.hpp"

namespace compose::recipe::detail {

namespace {

const std::vector<std::string> k_group_keys{"name", "gid", "members"};
const std::vector<std::string> k_user_keys{"name",  "uid",   "gid",
                                           "groups", "home", "shell", "authorized_keys"};
const std::vector<std::string> k_ssh_keys{"permit_root_login", "password_authentication"};
const std::vector<std::string> k_supervisor_keys{"config", "programs"};
const std::vector<std::string> k_program_keys{"name",      "command",   "user",
                                              "directory", "priority",  "autorestart",
                                              "startsecs", "environment"};
const std::vector<std::string> k_init_keys{"path", "runtime_dirs", "data_label", "data_mount",
                                           "exec", "hostname"};
const std::vector<std::string> k_file_keys{"path",   "source", "content", "url",  "sha256",
                                           "link",   "directory", "mode", "owner", "group"};
const std::vector<std::string> k_cleanup_keys{"paths", "keep"};

// Account names as useradd accepts them by default: [a-z_][a-z0-9_-]*, at most 32.
void check_account_name(const TableReader& entry, const std::string& name)
{
  const bool valid =
      !name.empty() && name.size() <= 32 && (std::islower(static_cast<unsigned char>(name[0])) ||
                                             name[0] == '_') &&
      std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
  if (!valid)
    entry.fail(*entry.table().find("name"), "bad account name " + quote(name),
               "lower-case letters, digits, '_' and '-', starting with a letter or '_'");
}

// An absolute path in the image without "." or ".." components; returned without the
// leading '/'.
std::string image_path(const TableReader& table, std::string_view key)
{
  const Node& value = table.need(key, NodeKind::string);
  const std::string& text = value.text;
  if (text.size() < 2 || text[0] != '/')
    table.fail(value, quote(table.key_name(key)) + " must be an absolute path in the image",
               "e.g. \"/etc/motd\"");
  std::string relative = text.substr(1);
  while (relative.ends_with('/'))
    relative.pop_back();
  std::size_t start = 0;
  while (start <= relative.size()) {
    const std::size_t slash = std::min(relative.find('/', start), relative.size());
    const std::string_view part(relative.data() + start, slash - start);
    if (part.empty() || part == "." || part == "..")
      table.fail(value, "path " + quote(text) + " has an empty, '.' or '..' component");
    start = slash + 1;
  }
  return relative;
}

std::uint32_t read_id(const TableReader& table, std::string_view key)
{
  return static_cast<std::uint32_t>(*table.integer(key, 0, 65533));
}

std::vector<GroupSpec> read_groups(const TableReader& top)
{
  std::vector<GroupSpec> groups;
  if (const Node* array = top.get("groups", NodeKind::array))
    for (const Node& item : array->items) {
      const TableReader entry(item, "groups", k_group_keys, true);
      GroupSpec group;
      group.name = entry.required_string("name");
      check_account_name(entry, group.name);
      if (entry.has("gid"))
        group.gid = read_id(entry, "gid");
      group.members = entry.strings("members");
      group.where = entry.where();
      groups.push_back(std::move(group));
    }
  return groups;
}

std::vector<UserSpec> read_users(const TableReader& top)
{
  std::vector<UserSpec> users;
  if (const Node* array = top.get("users", NodeKind::array))
    for (const Node& item : array->items) {
      const TableReader entry(item, "users", k_user_keys, true);
      UserSpec user;
      user.name = entry.required_string("name");
      check_account_name(entry, user.name);
      if (!entry.has("uid"))
        entry.need("uid", NodeKind::integer, "give the user a fixed uid, e.g. uid = 1000");
      user.uid = read_id(entry, "uid");
      if (entry.has("gid"))
        user.gid = read_id(entry, "gid");
      user.groups = entry.strings("groups");
      user.home = entry.has("home") ? "/" + image_path(entry, "home") : "/home/" + user.name;
      if (entry.has("shell"))
        user.shell = "/" + image_path(entry, "shell");
      user.authorized_keys = entry.strings("authorized_keys");
      user.where = entry.where();
      for (const UserSpec& other : users)
        if (other.name == user.name)
          entry.fail(*entry.table().find("name"), "user " + quote(user.name) + " is declared twice",
                     "first at " + other.where.str());
      users.push_back(std::move(user));
    }
  return users;
}

bool flag(const TableReader& table, std::string_view key, bool fallback)
{
  const Node* value = table.get(key, NodeKind::boolean);
  return value ? value->boolean : fallback;
}

SshSpec read_ssh(const TableReader& top)
{
  SshSpec ssh;
  const Node* node = top.get("ssh", NodeKind::table);
  if (!node)
    return ssh;
  const TableReader table(*node, "ssh", k_ssh_keys);
  ssh.enabled = true;
  ssh.permit_root_login = flag(table, "permit_root_login", false);
  ssh.password_authentication = flag(table, "password_authentication", false);
  ssh.where = table.where();
  return ssh;
}

SupervisorSpec read_supervisor(const TableReader& top)
{
  SupervisorSpec supervisor;
  const Node* node = top.get("supervisor", NodeKind::table);
  if (!node)
    return supervisor;
  const TableReader table(*node, "supervisor", k_supervisor_keys);
  supervisor.enabled = true;
  supervisor.where = table.where();
  if (table.has("config"))
    supervisor.config = "/" + image_path(table, "config");
  if (const Node* array = table.get("programs", NodeKind::array))
    for (const Node& item : array->items) {
      const TableReader entry(item, "supervisor.programs", k_program_keys, true);
      ProgramSpec program;
      program.name = entry.required_string("name");
      if (!std::all_of(program.name.begin(), program.name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
          }))
        entry.fail(*entry.table().find("name"), "bad program name " + quote(program.name),
                   "letters, digits, '-' and '_'");
      program.command = entry.required_string("command", "the command line to run, e.g. "
                                                         "\"/usr/sbin/sshd -D -e\"");
      program.user = entry.string("user").value_or("");
      program.directory = entry.has("directory") ? "/" + image_path(entry, "directory") : "";
      program.priority = static_cast<int>(entry.integer("priority", 1, 999).value_or(100));
      program.autorestart = flag(entry, "autorestart", true);
      program.startsecs = static_cast<int>(entry.integer("startsecs", 0, 3600).value_or(1));
      program.environment = entry.string_table("environment");
      program.where = entry.where();
      // Fragments may add a program another fragment already has: the later one wins.
      std::erase_if(supervisor.programs,
                    [&](const ProgramSpec& other) { return other.name == program.name; });
      supervisor.programs.push_back(std::move(program));
    }
  return supervisor;
}

InitSpec read_init(const TableReader& top)
{
  InitSpec init;
  const Node* node = top.get("init", NodeKind::table);
  if (!node)
    return init;
  const TableReader table(*node, "init", k_init_keys);
  init.enabled = true;
  init.where = table.where();
  if (table.has("path"))
    init.path = "/" + image_path(table, "path");
  for (const Node* item : table.string_items("runtime_dirs")) {
    if (item->text.empty() || item->text[0] != '/' || item->text.find("..") != std::string::npos)
      table.fail(*item, "runtime directory " + quote(item->text) + " must be an absolute path");
    init.runtime_dirs.push_back(item->text);
  }
  init.data_label = table.string("data_label").value_or("");
  if (table.has("data_mount"))
    init.data_mount = "/" + image_path(table, "data_mount");
  if (init.data_label.empty() != init.data_mount.empty())
    table.fail(*table.table().find(init.data_label.empty() ? "data_mount" : "data_label"),
               "data_label and data_mount go together");
  init.exec = table.strings("exec");
  if (init.exec.empty())
    table.need("exec", NodeKind::array,
               "what the init hands over to, e.g. exec = [\"/usr/bin/supervisord\", \"-n\"]");
  init.hostname = table.string("hostname").value_or("");
  return init;
}

std::uint32_t read_mode(const TableReader& entry)
{
  const Node* value = entry.table().find("mode");
  if (value->kind == NodeKind::integer && value->integer >= 0 && value->integer <= 07777)
    return static_cast<std::uint32_t>(value->integer);
  const std::string& text = value->text;
  const bool octal = value->kind == NodeKind::string && !text.empty() && text.size() <= 4 &&
                     std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '7'; });
  if (!octal)
    entry.fail(*value, "bad mode for " + quote(entry.key_name("mode")),
               "an octal string such as \"0755\" (or a TOML integer such as 0o755)");
  return static_cast<std::uint32_t>(std::stoul(text, nullptr, 8));
}

std::vector<FileSpec> read_files(const TableReader& top)
{
  std::vector<FileSpec> files;
  const Node* array = top.get("files", NodeKind::array);
  if (!array)
    return files;
  for (const Node& item : array->items) {
    const TableReader entry(item, "files", k_file_keys, true);
    FileSpec file;
    file.path = image_path(entry, "path");
    file.where = entry.where();
    std::vector<std::string> kinds;
    for (const char* key : {"source", "content", "url", "link", "directory"})
      if (entry.has(key))
        kinds.push_back(key);
    if (kinds.size() != 1)
      entry.fail(item, "a [[files]] entry needs exactly one of source, content, url, link, "
                       "directory (found " + (kinds.empty() ? std::string("none") : join(kinds)) + ")");
    const std::string& kind = kinds.front();
    if (kind == "source") {
      file.kind = FileSpec::Kind::source;
      const Node& source = entry.need("source", NodeKind::string);
      // Relative to the file that declares it, like include paths.
      const std::filesystem::path relative(source.text);
      file.source = relative.is_absolute()
                        ? relative
                        : std::filesystem::path(source.where.file).parent_path() / relative;
    } else if (kind == "content") {
      file.kind = FileSpec::Kind::content;
      file.content = entry.need("content", NodeKind::string).text;
    } else if (kind == "url") {
      file.kind = FileSpec::Kind::url;
      file.url = entry.required_string("url");
      if (!entry.has("sha256"))
        entry.need("sha256", NodeKind::string, "a downloaded file must be pinned by its SHA-256");
      file.sha256 = entry.required_string("sha256");
      if (file.sha256.size() != 64 ||
          !std::all_of(file.sha256.begin(), file.sha256.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
          }))
        entry.fail(*entry.table().find("sha256"), "sha256 must be 64 lower-case hex digits");
    } else if (kind == "link") {
      file.kind = FileSpec::Kind::symlink;
      file.target = entry.required_string("link");
    } else {
      file.kind = FileSpec::Kind::directory;
      const Node* directory = entry.get("directory", NodeKind::boolean);
      if (!directory->boolean)
        entry.fail(*directory, "directory = false makes no entry", "leave the key out");
    }
    if (entry.has("mode")) {
      if (file.kind == FileSpec::Kind::symlink)
        entry.fail(*entry.table().find("mode"), "a symbolic link has no mode of its own");
      file.mode = read_mode(entry);
    }
    file.owner = entry.string("owner").value_or("root");
    file.group = entry.string("group").value_or("root");
    files.push_back(std::move(file));
  }
  return files;
}

std::vector<std::string> read_cleanup(const TableReader& top, std::string_view key)
{
  const Node* node = top.get("cleanup", NodeKind::table);
  if (!node)
    return {};
  const TableReader table(*node, "cleanup", k_cleanup_keys);
  std::vector<std::string> patterns;
  for (const Node* item : table.string_items(key)) {
    if (item->text.size() < 2 || item->text[0] != '/' ||
        item->text.find("..") != std::string::npos)
      table.fail(*item, "clean-up path " + quote(item->text) + " must be an absolute path or glob",
                 "e.g. \"/usr/share/man/*\"");
    patterns.push_back(item->text.substr(1));
  }
  return patterns;
}

} // namespace

Overlays read_overlays(const TableReader& top)
{
  Overlays overlays;
  overlays.groups = read_groups(top);
  overlays.users = read_users(top);
  overlays.ssh = read_ssh(top);
  overlays.supervisor = read_supervisor(top);
  overlays.init = read_init(top);
  overlays.files = read_files(top);
  overlays.cleanup = read_cleanup(top, "paths");
  overlays.cleanup_keep = read_cleanup(top, "keep");
  return overlays;
}

} // namespace compose::recipe::detail
