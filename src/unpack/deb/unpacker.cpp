// Unpacking data.tar into the Tree as dpkg does: every entry is checked and placed against
// a view of the tree first, and only a package whose entries all pass is applied; see
// unpacker.hpp.
#include "unpack/deb/unpacker.hpp"

#include <deque>
#include <optional>

#include "unpack/accounts.hpp"
#include "unpack/tar_reader.hpp"
#include "util/error.hpp"

namespace compose::unpack::deb {

namespace {

using stage::FileType;

std::vector<std::string> split(std::string_view path)
{
  std::vector<std::string> parts;
  while (!path.empty()) {
    const std::size_t slash = std::min(path.find('/'), path.size());
    if (slash > 0)
      parts.emplace_back(path.substr(0, slash));
    path.remove_prefix(std::min(slash + 1, path.size()));
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts)
{
  std::string out;
  for (const std::string& part : parts)
    out += (out.empty() ? "" : "/") + part;
  return out;
}

std::string child_of(const std::string& directory, const std::string& name)
{
  return directory.empty() ? name : directory + "/" + name;
}

// GNU tar's old form of a directory is a regular-file header whose name ends with '/'.
bool is_directory_entry(const TarEntry& entry)
{
  return entry.type == '5' || (entry.type == '0' && entry.name.ends_with('/'));
}

// The .list form of a tar name: "./usr/bin/" -> "/usr/bin", "./" -> "/.".
std::string list_path(std::string_view name)
{
  while (name.size() > 1 && name.ends_with('/'))
    name.remove_suffix(1);
  if (name == "." || name == "./" || name.empty())
    return "/.";
  if (name.starts_with("./"))
    name.remove_prefix(1);
  return name.starts_with('/') ? std::string(name) : "/" + std::string(name);
}

struct NodeView {
  FileType type = FileType::regular;
  std::string target; // symlinks
};

// The tree as it will look once the entries planned so far are applied: lookups see the
// planned nodes first, then the real tree. Paths given here are already resolved (no
// symlink among their parents), so the tree is asked without following anything.
class PlannedView {
public:
  explicit PlannedView(const stage::Tree& tree) : m_tree(tree) {}

  std::optional<NodeView> node(const std::string& resolved) const
  {
    if (resolved.empty())
      return NodeView{FileType::directory, {}};
    if (const auto planned = m_planned.find(resolved); planned != m_planned.end())
      return planned->second;
    const std::shared_ptr<stage::Inode> inode = m_tree.find(resolved);
    if (!inode)
      return std::nullopt;
    return NodeView{inode->type, inode->target};
  }

  void plan(const std::string& resolved, NodeView node) { m_planned[resolved] = std::move(node); }

  struct Resolution {
    std::string path;    // resolved, relative to the root
    std::string problem; // empty when resolved
  };

  // Resolves the parents of `path` through symlinks (absolute targets stay inside the
  // root), as the kernel does when dpkg creates the entry; the last component is kept.
  Resolution resolve_parents(const std::string& path) const
  {
    std::vector<std::string> parts = split(path);
    if (parts.empty())
      return {"", ""};
    const std::string leaf = parts.back();
    parts.pop_back();
    Resolution parent = walk(parts);
    if (!parent.problem.empty())
      return parent;
    return {child_of(parent.path, leaf), ""};
  }

  // Resolves every component; the result names a directory or the problem says why not.
  Resolution resolve_directory(const std::string& path) const
  {
    Resolution resolution = walk(split(path));
    if (resolution.problem.empty() && node(resolution.path)->type != FileType::directory)
      resolution.problem = quote(path) + " is not a directory";
    return resolution;
  }

private:
  static constexpr int k_max_symlink_hops = 40; // as Linux's MAXSYMLINKS

  Resolution walk(const std::vector<std::string>& parts) const
  {
    std::vector<std::string> resolved;
    std::deque<std::string> pending(parts.begin(), parts.end());
    int hops = 0;
    while (!pending.empty()) {
      const std::string name = pending.front();
      pending.pop_front();
      if (name == ".")
        continue;
      if (name == "..") {
        if (!resolved.empty())
          resolved.pop_back();
        continue;
      }
      resolved.push_back(name);
      // Messages name the resolved place: "/usr/bin" says more than "bin" behind a link.
      const std::string here = join(resolved);
      const std::optional<NodeView> found = node(here);
      if (!found)
        return {"", "parent directory " + quote("/" + here) + " does not exist"};
      if (found->type == FileType::directory)
        continue;
      if (found->type != FileType::symlink)
        return {"", "parent " + quote("/" + here) + " is a " + file_type_name(found->type) +
                        ", not a directory"};
      if (++hops > k_max_symlink_hops)
        return {"", "too many levels of symlinks at " + quote("/" + here)};
      resolved.pop_back();
      if (found->target.starts_with('/'))
        resolved.clear();
      const std::vector<std::string> target = split(found->target);
      pending.insert(pending.begin(), target.begin(), target.end());
    }
    return {join(resolved), ""};
  }

  const stage::Tree& m_tree;
  std::map<std::string, NodeView> m_planned;
};

// What happens to one tar entry.
struct Step {
  const TarEntry* entry = nullptr;
  FileType type = FileType::regular;
  std::string resolved; // where it lands in the tree
  // Nothing to write: a directory (or a symlink to one) is there, or the owner Replaces us.
  bool keep_existing = false;
  std::string hard_link_to;   // resolved path of the earlier entry it links to
  std::string list_path;      // "/bin/dash"
  bool listed = true;         // written to the .list
  std::string replaced_owner; // the earlier package whose file this takes over
};

FileType file_type_of(const TarEntry& entry, const std::string& where)
{
  if (is_directory_entry(entry))
    return FileType::directory;
  switch (entry.type) {
  case '0':
  case '7':
  case '1':
    return FileType::regular; // hard links share a regular file's inode
  case '2':
    return FileType::symlink;
  case '3':
    return FileType::char_device;
  case '4':
    return FileType::block_device;
  case '6':
    return FileType::fifo;
  default:
    throw Error("unsupported tar entry type '" + std::string(1, entry.type) + "'", where,
                "dpkg unpacks only files, directories, links, devices and fifos");
  }
}

} // namespace

Unpacker::Unpacker(stage::Tree& tree, std::int64_t epoch) : m_tree(tree), m_epoch(epoch) {}

std::string Unpacker::owner_of(const std::string& path) const
{
  const auto found = m_owners.find(path);
  return found == m_owners.end() ? std::string() : found->second;
}

bool Unpacker::replaces(const repo::deb::Package& package, const std::string& other) const
{
  const auto version = m_versions.find(other);
  if (version == m_versions.end())
    return false;
  for (const repo::deb::Relation& relation : package.replaces)
    if (relation.name == other && repo::deb::version_satisfies(relation, version->second))
      return true;
  return false;
}

bool Unpacker::replaced_by(const std::string& owner, const repo::deb::Package& package) const
{
  const auto relations = m_replaces.find(owner);
  if (relations == m_replaces.end())
    return false;
  for (const repo::deb::Relation& relation : relations->second)
    if (relation.name == package.name && repo::deb::version_satisfies(relation, package.version))
      return true;
  return false;
}

UnpackedPackage Unpacker::unpack(const repo::deb::Package& package, DebArchive archive,
                                 const std::string& where)
{
  std::vector<TarEntry> entries;
  if (archive.data.file)
    entries = std::move(archive.data.entries);
  else
    read_tar(archive.data_tar, where + ": " + archive.data_member,
             [&](const TarEntry& entry) { entries.push_back(entry); });

  UnpackedPackage unpacked;
  unpacked.package = &package;
  if (entries.empty() || list_path(entries.front().name) != "/.")
    unpacked.paths.push_back("/.");

  // First pass: check and place every entry without touching the tree.
  const Accounts accounts = Accounts::load(m_tree);
  PlannedView view(m_tree);
  std::vector<Step> steps;
  std::map<std::string, std::size_t> shipped; // normalised name -> step, for hard links
  for (const TarEntry& entry : entries) {
    const std::string entry_where = where + ": " + entry.name;
    if (entry.name.empty())
      throw Error("tar entry with an empty name", where + ": " + archive.data_member);
    if (entry.name.starts_with('/'))
      throw Error("absolute path in the package", entry_where,
                  "paths in data.tar must be relative ('./usr/bin/x')");
    std::string path;
    try {
      path = stage::Tree::normalise(entry.name);
    } catch (const Error& error) {
      throw Error(error.message(), entry_where);
    }

    Step step;
    step.entry = &entry;
    step.list_path = list_path(entry.name);
    step.type = file_type_of(entry, entry_where);
    if ((step.type == FileType::char_device || step.type == FileType::block_device) &&
        !path.starts_with("dev/"))
      throw Error(std::string(file_type_name(step.type)) + " outside /dev", entry_where);
    if (step.type == FileType::symlink && entry.linkname.empty())
      throw Error("symlink with an empty target", entry_where);
    if (path.empty()) {
      if (step.type != FileType::directory)
        throw Error("the root entry is a " + std::string(file_type_name(step.type)) +
                        ", not a directory",
                    entry_where);
      unpacked.paths.push_back(step.list_path);
      continue; // dpkg leaves the existing root directory alone
    }
    if (entry.type == '1') {
      std::string target;
      try {
        target = stage::Tree::normalise(entry.linkname);
      } catch (const Error& error) {
        throw Error("hard link target: " + error.message(), entry_where);
      }
      const auto earlier = shipped.find(target);
      if (earlier == shipped.end() || steps[earlier->second].type != FileType::regular)
        throw Error("hard link to " + quote(entry.linkname) +
                        ", which is not an earlier file of this package",
                    entry_where);
      step.hard_link_to = steps[earlier->second].resolved;
    }

    const PlannedView::Resolution placed = view.resolve_parents(path);
    if (!placed.problem.empty())
      throw Error(placed.problem, entry_where);
    step.resolved = placed.path;
    const std::optional<NodeView> existing = view.node(step.resolved);
    if (existing && step.type == FileType::directory) {
      // A directory (or, with merged /usr, a symlink to one) is shared: keep it as it is.
      step.keep_existing = existing->type == FileType::directory ||
                           (existing->type == FileType::symlink &&
                            view.resolve_directory(step.resolved).problem.empty());
    } else if (existing && existing->type == FileType::directory) {
      if (step.type != FileType::symlink)
        throw Error("package ships a " + std::string(file_type_name(step.type)) +
                        " where the directory " + quote("/" + step.resolved) + " exists",
                    entry_where);
      step.keep_existing = true; // dpkg: a symlink over a directory leaves the directory
    }
    if (existing && !step.keep_existing) {
      const std::string owner = owner_of(step.resolved);
      if (!owner.empty() && owner != package.name && replaces(package, owner)) {
        step.replaced_owner = owner;
      } else if (!owner.empty() && owner != package.name) {
        if (!replaced_by(owner, package))
          throw Error("trying to overwrite " + quote("/" + step.resolved) +
                          ", which is also in package " + owner + " " + m_versions.at(owner),
                      entry_where,
                      package.name + " would need 'Replaces: " + owner +
                          "'; install only one of the two packages");
        // The owner Replaces this package: its file stays, and dpkg leaves the path out of
        // this package's .list.
        step.keep_existing = true;
        step.listed = false;
      }
    }
    if (step.listed)
      unpacked.paths.push_back(step.list_path);
    if (!step.keep_existing)
      view.plan(step.resolved, NodeView{step.type, step.type == FileType::symlink ? entry.linkname
                                                                                  : std::string()});
    shipped[path] = steps.size();
    steps.push_back(std::move(step));
  }

  // Second pass: apply. Every path is resolved, so nothing is followed any more.
  for (const Step& step : steps) {
    if (step.keep_existing)
      continue;
    const TarEntry& entry = *step.entry;
    if (!step.hard_link_to.empty()) {
      m_tree.add_hardlink(step.resolved, step.hard_link_to);
    } else {
      stage::Inode inode;
      inode.type = step.type;
      inode.mode = step.type == FileType::symlink ? 0777 : entry.mode & 07777;
      // dpkg maps names through the target's passwd/group; the header's ids are the fallback.
      inode.uid =
          (entry.uname.empty() ? std::nullopt : accounts.uid_of(entry.uname)).value_or(entry.uid);
      inode.gid =
          (entry.gname.empty() ? std::nullopt : accounts.gid_of(entry.gname)).value_or(entry.gid);
      inode.mtime = m_epoch;
      inode.xattrs = entry.xattrs;
      if (step.type == FileType::regular)
        inode.content = archive.data.file ? archive.data.content_of(entry)
                                          : stage::Content(std::string(entry.content));
      if (step.type == FileType::symlink)
        inode.target = entry.linkname;
      inode.rdev_major = entry.device_major;
      inode.rdev_minor = entry.device_minor;
      m_tree.add(step.resolved, std::move(inode));
    }
    if (!step.replaced_owner.empty() && m_owners[step.resolved] == step.replaced_owner)
      unpacked.replaced_paths[step.replaced_owner].push_back(m_owner_paths[step.resolved]);
    if (step.type == FileType::directory) {
      m_owners.erase(step.resolved);
      m_owner_paths.erase(step.resolved);
    } else {
      m_owners[step.resolved] = package.name;
      m_owner_paths[step.resolved] = step.list_path;
    }
  }
  m_versions[package.name] = package.version;
  m_replaces[package.name] = package.replaces;

  archive.data_tar.clear();
  archive.data_tar.shrink_to_fit();
  archive.data = {}; // the tree's contents keep the file open
  unpacked.archive = std::move(archive);
  return unpacked;
}

} // namespace compose::unpack::deb
