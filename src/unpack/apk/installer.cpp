// Installing verified .apk files into the Tree in plan order, with apk's ownership rules,
// the script effects compose reproduces, and the apk database; see unpack/apk_install.hpp.
#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "unpack/accounts.hpp"
#include "unpack/apk/busybox_links.hpp"
#include "unpack/apk/installed_db.hpp"
#include "unpack/apk/package_reader.hpp"
#include "unpack/apk/script_effects.hpp"
#include "unpack/apk_install.hpp"
#include "util/decode_ahead.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace compose::unpack::apk {

namespace {

using stage::FileType;

std::string parent_of(const std::string& path)
{
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string base_of(const std::string& path)
{
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// What happens to one data entry once the package is checked against the tree.
enum class Action { add, skip, skip_no_directory };

class Installer {
public:
  Installer(const InstallOptions& options, stage::Tree& tree) : m_options(options), m_tree(tree) {}

  // `package` is `file` already read and verified (see decode()).
  void install(const PackageFile& file, ApkPackage package)
  {
    const std::vector<Action> actions = check_against_tree(package);

    InstalledPackage installed;
    installed.broken_files = std::find(actions.begin(), actions.end(),
                                       Action::skip_no_directory) != actions.end();
    installed.record = *file.package;
    installed.replaces = package.info.replaces;
    installed.replaces_priority = package.info.replaces_priority;
    installed.scripts = package.scripts;
    installed.triggers = package.info.triggers;
    m_installed.push_back(std::move(installed));

    run_install_script(package, ".pre-install");
    commit(package, actions);
    run_install_script(package, ".post-install");
  }

  void finish()
  {
    run_triggers();
    make_busybox_links(m_tree, m_options.epoch);
    resolve_late_owners();
    write_database();
  }

  InstallReport report;

private:
  std::string label(std::size_t index) const
  {
    return m_installed[index].record.name + "-" + m_installed[index].record.version;
  }

  // apk 2.14 apk_db_install_archive_entry: a file owned by another package may be
  // replaced when both come from the same origin, or when the new package "replaces"
  // the owner; if the owner also replaces the new package with a higher
  // replaces_priority, the owner's file stays.
  Action overwrite_rule(std::size_t owner, const ApkPackage& package, const std::string& path)
  {
    const InstalledPackage& old = m_installed[owner];
    if (old.record.name == package.info.name)
      return Action::add;
    if (!package.info.origin.empty() && old.record.origin == package.info.origin)
      return Action::add;
    int old_priority = -1, new_priority = -1;
    for (const std::string& token : old.replaces)
      if (dependency_name(token) == package.info.name)
        old_priority = old.replaces_priority;
    for (const std::string& token : package.info.replaces)
      if (dependency_name(token) == old.record.name)
        new_priority = package.info.replaces_priority;
    if (old_priority > new_priority)
      return Action::skip;
    if (new_priority < 0)
      throw Error("trying to overwrite /" + path + " owned by " + label(owner) + " (package " +
                      package.info.name + "-" + package.info.version + " neither shares its origin nor replaces it)",
                  package.file_name + ": " + path,
                  "the two packages conflict; install only one of them");
    return Action::add;
  }

  static std::string dependency_name(const std::string& token)
  {
    const std::size_t end = token.find_first_of("<>=~@");
    return token.substr(token.starts_with("!") ? 1 : 0, end);
  }

  // Every check that can fail against the current tree, made before anything changes.
  std::vector<Action> check_against_tree(const ApkPackage& package)
  {
    std::map<std::string, FileType> pending; // this package's entries so far
    std::set<std::string> directories;       // this package's directory entries so far
    std::unordered_set<std::string> checked_parents; // parents known to be directories
    std::vector<Action> actions;
    for (const DataEntry& entry : package.entries) {
      const std::string where = package.file_name + ": " + entry.path;
      const bool is_directory = entry.type == FileType::directory && entry.hard_link_to.empty();
      if (is_directory)
        directories.insert(entry.path);
      // Parents: directories, never symlinks (writing through one could leave the root).
      // Walked from the nearest parent up to the first one already checked, so a package of
      // 10,000 nested directories costs linear time, not quadratic.
      for (std::size_t slash = entry.path.rfind('/');
           slash != std::string::npos && slash != 0;
           slash = entry.path.rfind('/', slash - 1)) {
        std::string prefix = entry.path.substr(0, slash);
        if (checked_parents.contains(prefix))
          break;
        std::optional<FileType> type;
        if (const auto found = pending.find(prefix); found != pending.end())
          type = found->second;
        else if (const std::shared_ptr<stage::Inode> inode = m_tree.find(prefix))
          type = inode->type;
        if (type && *type == FileType::symlink)
          throw Error("refusing to write through symlink /" + prefix, where,
                      "a package file would land outside the directory it names");
        if (type && *type != FileType::directory)
          throw Error("parent /" + prefix + " is a " + stage::file_type_name(*type) +
                          ", not a directory",
                      where);
        checked_parents.insert(std::move(prefix)); // a directory, or made as a 0755 one
      }
      // apk 2.14 apk_db_install_archive_entry: a file must sit in a directory that the
      // package's own archive declared before it, else apk leaves it out, says "no dirent in
      // archive" and marks the package's files broken (f:f in the installed database).
      // (Writing through a symlink is refused above, although apk would skip that too.)
      if (!is_directory && !parent_of(entry.path).empty() &&
          !directories.count(parent_of(entry.path))) {
        report.warnings.push_back(package.info.name + "-" + package.info.version + ": " +
                                  entry.path +
                                  ": no directory entry in the archive; left out, as apk does");
        actions.push_back(Action::skip_no_directory);
        continue;
      }
      std::optional<FileType> existing;
      if (const auto found = pending.find(entry.path); found != pending.end())
        existing = found->second;
      else if (const std::shared_ptr<stage::Inode> inode = m_tree.find(entry.path))
        existing = inode->type;
      Action action = Action::add;
      if (existing) {
        if (is_directory && *existing != FileType::directory)
          throw Error("a " + std::string(stage::file_type_name(*existing)) +
                          " already exists where the package has a directory",
                      where);
        if (!is_directory && *existing == FileType::directory)
          throw Error("a directory already exists where the package has a " +
                          std::string(stage::file_type_name(entry.type)),
                      where);
        const auto owner = m_owners.find(entry.path);
        if (!is_directory && owner != m_owners.end() && !pending.count(entry.path))
          action = overwrite_rule(owner->second, package, entry.path);
      }
      if (action == Action::add) {
        pending[entry.path] = entry.type;
        // A path taken for a directory becomes something else: every parent is checked anew
        // (every ancestor of a checked parent is checked too, so this catches them all).
        if (!is_directory && checked_parents.contains(entry.path))
          checked_parents.clear();
      }
      actions.push_back(action);
    }
    return actions;
  }

  // The accounts owners resolve against: the staged files, or this package's own copies
  // (alpine-baselayout-data ships /etc/group together with files owned by its groups).
  Accounts owner_accounts(const ApkPackage& package) const
  {
    std::optional<std::string> passwd, group;
    for (const DataEntry& entry : package.entries) {
      if (entry.type == FileType::regular && entry.hard_link_to.empty()) {
        if (entry.path == "etc/passwd")
          passwd = entry.content.read();
        if (entry.path == "etc/group")
          group = entry.content.read();
      }
    }
    const auto staged = [&](const char* path) {
      const std::shared_ptr<stage::Inode> inode = m_tree.find(path);
      return inode && inode->type == FileType::regular ? inode->content.read()
                                                       : std::string();
    };
    return Accounts::parse(passwd ? *passwd : staged("etc/passwd"),
                           group ? *group : staged("etc/group"));
  }

  InstalledDirectory& directory_block(InstalledPackage& installed, const std::string& path)
  {
    for (InstalledDirectory& directory : installed.directories)
      if (directory.path == path)
        return directory;
    InstalledDirectory directory;
    directory.path = path;
    installed.directories.push_back(std::move(directory));
    return installed.directories.back();
  }

  void commit(const ApkPackage& package, const std::vector<Action>& actions)
  {
    const std::size_t index = m_installed.size() - 1;
    InstalledPackage& installed = m_installed.back();
    const Accounts accounts = owner_accounts(package);
    for (std::size_t i = 0; i < package.entries.size(); ++i) {
      const DataEntry& entry = package.entries[i];
      if (actions[i] != Action::add)
        continue;
      Permissions permissions;
      permissions.uid = accounts.uid_of(entry.uname).value_or(entry.uid);
      permissions.gid = accounts.gid_of(entry.gname).value_or(entry.gid);
      permissions.mode = entry.mode;
      permissions.xattr_hash = xattr_hash(entry.xattrs);

      const Permissions applied = entry.type == FileType::directory
                                      ? shared_directory_permissions(entry.path, permissions)
                                      : permissions;
      if (!entry.hard_link_to.empty()) {
        m_tree.add_hardlink(entry.path, entry.hard_link_to);
      } else {
        stage::Inode inode;
        inode.type = entry.type;
        inode.mode = applied.mode;
        inode.uid = applied.uid;
        inode.gid = applied.gid;
        inode.mtime = entry.mtime;
        inode.xattrs = entry.xattrs;
        if (entry.type == FileType::regular)
          inode.content = entry.content;
        inode.target = entry.symlink_target;
        inode.rdev_major = entry.device_major;
        inode.rdev_minor = entry.device_minor;
        // A directory added over a directory keeps its children and takes the new metadata.
        m_tree.add(entry.path, std::move(inode), stage::Existing::replace,
                   stage::ParentSymlinks::reject, true);
      }
      remember_unresolved(accounts, entry, index);
      if (entry.type == FileType::directory) {
        directory_block(installed, entry.path).permissions = permissions;
        continue; // directories are shared, never owned
      }
      take_ownership(entry.path, index);
      directory_block(installed, parent_of(entry.path))
          .files.push_back(InstalledFile{base_of(entry.path), permissions, entry.checksum});
    }
  }

  // apk 2.14 apk_db_dir_apply_diri_permissions: of all packages declaring a directory,
  // the lowest uid (then gid) decides its owner and mode; equal owners AND their modes.
  Permissions shared_directory_permissions(const std::string& path, const Permissions& declared)
  {
    const auto [slot, first] = m_directories.try_emplace(path, declared);
    if (first)
      return declared;
    Permissions& current = slot->second;
    if (declared.uid < current.uid || (declared.uid == current.uid && declared.gid < current.gid))
      current = declared;
    else if (declared.uid == current.uid && declared.gid == current.gid)
      current.mode &= declared.mode;
    return current;
  }

  // An owner name the staged files do not know yet (its account may come from a later
  // package or script): resolved again once everything is installed (apk-format §5.5).
  struct Unresolved {
    std::size_t package;
    std::string path;
    bool directory;
    std::string user, group; // empty when that half was resolved
    std::shared_ptr<stage::Inode> inode;
  };

  void remember_unresolved(const Accounts& accounts, const DataEntry& entry, std::size_t index)
  {
    Unresolved unresolved{index, entry.path, entry.type == FileType::directory &&
                                                 entry.hard_link_to.empty(),
                          {}, {}, m_tree.find(entry.path)};
    if (!entry.uname.empty() && !accounts.uid_of(entry.uname))
      unresolved.user = entry.uname;
    if (!entry.gname.empty() && !accounts.gid_of(entry.gname))
      unresolved.group = entry.gname;
    if (!unresolved.user.empty() || !unresolved.group.empty())
      m_unresolved.push_back(std::move(unresolved));
  }

  void resolve_late_owners()
  {
    const Accounts accounts = Accounts::load(m_tree);
    for (const Unresolved& unresolved : m_unresolved) {
      // Plain values rather than optionals: GCC's maybe-uninitialized check misfires on them.
      const std::uint32_t no_id = 0xffffffffu;
      const std::uint32_t uid =
          unresolved.user.empty() ? no_id : accounts.uid_of(unresolved.user).value_or(no_id);
      const std::uint32_t gid =
          unresolved.group.empty() ? no_id : accounts.gid_of(unresolved.group).value_or(no_id);
      if (uid == no_id && gid == no_id)
        continue;
      // A later package may have replaced the file; then its owner is that package's.
      if (m_tree.find(unresolved.path) != unresolved.inode)
        continue;
      const auto apply = [&](std::uint32_t& user_id, std::uint32_t& group_id) {
        if (uid != no_id)
          user_id = uid;
        if (gid != no_id)
          group_id = gid;
      };
      apply(unresolved.inode->uid, unresolved.inode->gid);
      for (InstalledDirectory& directory : m_installed[unresolved.package].directories) {
        if (unresolved.directory && directory.path == unresolved.path)
          apply(directory.permissions.uid, directory.permissions.gid);
        if (!unresolved.directory && directory.path == parent_of(unresolved.path))
          for (InstalledFile& file : directory.files)
            if (file.name == base_of(unresolved.path))
              apply(file.permissions.uid, file.permissions.gid);
      }
    }
  }

  // The new owner lists the file; the previous owner's record no longer does (apk moves
  // the file between packages).
  void take_ownership(const std::string& path, std::size_t index)
  {
    const auto [slot, inserted] = m_owners.try_emplace(path, index);
    if (!inserted && slot->second != index) {
      for (InstalledDirectory& directory : m_installed[slot->second].directories) {
        if (directory.path != parent_of(path))
          continue;
        std::erase_if(directory.files,
                      [&](const InstalledFile& file) { return file.name == base_of(path); });
      }
      slot->second = index;
    }
  }

  void run_install_script(const ApkPackage& package, const std::string& action)
  {
    const auto script = package.scripts.find(action);
    if (script == package.scripts.end())
      return;
    reproduce(m_installed.size() - 1, action, script->second, {package.info.version});
  }

  void reproduce(std::size_t index, const std::string& action, const std::string& text,
                 const std::vector<std::string>& arguments)
  {
    ScriptEnvironment environment{m_tree, m_options.epoch, false};
    const ScriptOutcome outcome = reproduce_script(text, arguments, environment);
    ScriptReport entry;
    entry.package = label(index);
    entry.script = action;
    if (outcome.unknown_lines.empty()) {
      entry.status = "reproduced";
      std::string effects;
      for (const std::string& effect : outcome.effects)
        effects += (effects.empty() ? "" : "; ") + effect;
      entry.detail = effects.empty() ? "no effect on a new root" : effects;
    } else {
      entry.status = "not reproduced";
      for (const std::string& line : outcome.unknown_lines)
        entry.detail += (entry.detail.empty() ? "" : "\n") + line;
      report.warnings.push_back(entry.package + " " + action +
                                " not run: " + outcome.unknown_lines.front());
    }
    if (outcome.exit_status != 0)
      report.warnings.push_back(entry.package + " " + action + " would exit with status " +
                                std::to_string(outcome.exit_status));
    report.scripts.push_back(std::move(entry));
  }

  // apk runs a package's .trigger at the end of the transaction with the directories that
  // changed and match its globs.
  void run_triggers()
  {
    std::set<std::string> changed;
    for (const InstalledPackage& installed : m_installed)
      for (const InstalledDirectory& directory : installed.directories)
        changed.insert("/" + directory.path);
    for (std::size_t index = 0; index < m_installed.size(); ++index) {
      const InstalledPackage& installed = m_installed[index];
      const auto script = installed.scripts.find(".trigger");
      if (script == installed.scripts.end() || installed.triggers.empty())
        continue;
      std::vector<std::string> matched;
      for (const std::string& directory : changed)
        for (const std::string& glob : installed.triggers)
          if (fnmatch(glob.c_str(), directory.c_str(), FNM_PATHNAME) == 0) {
            matched.push_back(directory);
            break;
          }
      if (matched.empty())
        continue;
      if (installed.record.name == "busybox") {
        // The busybox trigger reinstalls applet links (made below from the manifest) and
        // runs depmod for module directories, which a root without modules does not need.
        report.scripts.push_back(
            ScriptReport{label(index), ".trigger", "reproduced", "busybox applet links"});
        continue;
      }
      reproduce(index, ".trigger", script->second, matched);
    }
  }

  void add_file(const std::string& path, std::string bytes, std::uint32_t mode,
                stage::Existing existing = stage::Existing::replace)
  {
    stage::Inode inode;
    inode.mode = mode;
    inode.mtime = m_options.epoch;
    inode.content = stage::Content(std::move(bytes));
    m_tree.add(path, std::move(inode), existing, stage::ParentSymlinks::reject, true);
  }

  void add_directory(const std::string& path, std::uint32_t mode)
  {
    stage::Inode inode;
    inode.type = FileType::directory;
    inode.mode = mode;
    inode.mtime = m_options.epoch;
    // Directories a package already made keep the package's metadata.
    m_tree.add(path, std::move(inode), stage::Existing::keep, stage::ParentSymlinks::reject, true);
  }

  void add_device(const std::string& path, std::uint32_t major, std::uint32_t minor,
                  std::uint32_t mode)
  {
    stage::Inode inode;
    inode.type = FileType::char_device;
    inode.mode = mode;
    inode.mtime = m_options.epoch;
    inode.rdev_major = major;
    inode.rdev_minor = minor;
    m_tree.add(path, std::move(inode), stage::Existing::keep, stage::ParentSymlinks::reject, true);
  }

  void write_database()
  {
    // What apk add --initdb makes (apk 2.14.4, checked against apk.static): etc/apk/keys,
    // etc/apk/protected_paths.d and lib/apk/exec come from the apk-tools package instead,
    // except that apk makes lib/apk/exec (0700) to run the first script from.
    for (const char* directory : {"lib/apk/db", "var/cache/apk", "var/cache/misc", "dev"})
      add_directory(directory, 0755);
    if (!report.scripts.empty())
      add_directory("lib/apk/exec", 0700);
    add_directory("tmp", 01777);
    add_device("dev/null", 1, 3, 0666);
    add_device("dev/zero", 1, 5, 0666);
    add_device("dev/random", 1, 8, 0666);
    add_device("dev/urandom", 1, 9, 0666);
    add_device("dev/console", 5, 1, 0600);

    add_file("lib/apk/db/installed", installed_text(m_installed), 0644);
    add_file("lib/apk/db/scripts.tar", scripts_tar(m_installed), 0644);
    add_file("lib/apk/db/triggers", triggers_text(m_installed), 0644);
    add_file("lib/apk/db/lock", "", 0600);

    std::vector<std::string> world = m_options.world;
    std::sort(world.begin(), world.end());
    world.erase(std::unique(world.begin(), world.end()), world.end());
    add_file("etc/apk/world", lines(world), 0644);
    add_file("etc/apk/repositories", lines(m_options.repositories), 0644);
    add_file("etc/apk/arch", m_options.architecture.empty() ? "" : m_options.architecture + "\n",
             0644);
    if (!m_options.keys.empty())
      add_directory("etc/apk/keys", 0755);
    for (const auto& [name, pem] : m_options.keys) {
      if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
        throw Error("key file name " + quote(name) + " is not a plain file name", "/etc/apk/keys");
      // alpine-keys may already provide the same key; the packaged file stays.
      add_file("etc/apk/keys/" + name, pem, 0644, stage::Existing::keep);
    }
  }

  static std::string lines(const std::vector<std::string>& values)
  {
    std::string text;
    for (const std::string& value : values)
      text += value + "\n";
    return text;
  }

  const InstallOptions& m_options;
  stage::Tree& m_tree;
  std::vector<InstalledPackage> m_installed;    // install order
  std::map<std::string, std::size_t> m_owners; // non-directory path -> package index
  std::vector<Unresolved> m_unresolved;
  std::map<std::string, Permissions> m_directories; // directory -> what apk would apply
};

} // namespace

namespace {

// Reading, inflating and verifying a package needs nothing from the tree, so it runs ahead
// on other cores while earlier packages are applied in plan order.
ApkPackage decode(const PackageFile& file, const SignaturePolicy& signature,
                  DecodedCache& cache)
{
  if (!file.package)
    throw Error("package file without an index record", file.file.string());
  const std::string bytes = read_file(file.file);
  return read_package(bytes, *file.package, signature, cache);
}

} // namespace

InstallReport install(const std::vector<PackageFile>& packages, const InstallOptions& options,
                      stage::Tree& tree)
{
  Installer installer(options, tree);
  DecodedCache spill_only({});
  DecodedCache& decoded = options.decoded_cache ? *options.decoded_cache : spill_only;
  const auto decode_signed = [&](const PackageFile& file) {
    return decode(file, options.signature, decoded);
  };
  decode_ahead(packages, decode_signed, [&installer](const PackageFile& file, ApkPackage&& package) {
    installer.install(file, std::move(package));
  });
  installer.finish();
  return installer.report;
}

void check_package_file(const std::filesystem::path& file, const repo::apk::Package& package,
                        const SignaturePolicy& signature)
{
  const std::string bytes = read_file(file);
  std::size_t data_offset = 0;
  check_package_bytes(bytes, package, data_offset, signature);
}

} // namespace compose::unpack::apk
