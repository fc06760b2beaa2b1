// Tree: path checks, symlink-aware lookup and the sorted walk; see tree.hpp.
#include "stage/tree.hpp"

#include <deque>
#include <unordered_map>

#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::stage {

const char* file_type_name(FileType type)
{
  switch (type) {
  case FileType::regular: return "regular file";
  case FileType::directory: return "directory";
  case FileType::symlink: return "symlink";
  case FileType::char_device: return "character device";
  case FileType::block_device: return "block device";
  case FileType::fifo: return "fifo";
  case FileType::socket: return "socket";
  }
  return "?";
}

namespace {

std::vector<std::string> split(std::string_view path)
{
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (parts.size() == 1 && parts[0].empty())
    parts.clear();
  return parts;
}

constexpr int k_max_symlink_hops = 40; // as Linux's MAXSYMLINKS

std::shared_ptr<Inode> make_directory(std::uint32_t mode = 0755)
{
  auto inode = std::make_shared<Inode>();
  inode->type = FileType::directory;
  inode->mode = mode;
  return inode;
}

} // namespace

std::string Tree::normalise(std::string_view path)
{
  const std::string original(path);
  if (path.find('\0') != std::string_view::npos)
    throw Error("path contains a NUL byte", quote(original));
  while (path.starts_with("./"))
    path.remove_prefix(2);
  if (path == ".")
    return "";
  while (path.starts_with("/"))
    path.remove_prefix(1);
  while (path.ends_with("/"))
    path.remove_suffix(1);
  // One pass without allocating: a deep path is checked in O(length), not O(depth) strings.
  for (std::size_t start = 0; !path.empty() && start <= path.size();) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view part = path.substr(start, end - start);
    if (part == "..")
      throw Error("path escapes the root through '..'", quote(original));
    if (part.empty() || part == ".")
      throw Error("path has an empty or '.' component", quote(original));
    start = end + 1;
  }
  return std::string(path);
}

Tree::Tree() : m_root(make_directory()) {}

void Tree::remember_directory(const std::string& path, std::shared_ptr<Inode> directory)
{
  m_last_directory_path = path;
  m_last_directory = std::move(directory);
}

void Tree::forget_directory()
{
  m_last_directory_path.clear();
  m_last_directory.reset();
}

std::shared_ptr<Inode> Tree::parent_for(const std::string& path, std::string& leaf,
                                        ParentSymlinks parents, bool create_parents,
                                        bool remember)
{
  const std::size_t slash = path.rfind('/');
  if (m_last_directory && slash != std::string::npos &&
      std::string_view(path).substr(0, slash) == m_last_directory_path) {
    leaf = path.substr(slash + 1);
    return m_last_directory;
  }
  std::vector<std::string> parts = split(path);
  if (parts.empty())
    throw Error("cannot replace the root directory itself", quote(path));
  leaf = parts.back();
  parts.pop_back();

  std::vector<std::shared_ptr<Inode>> stack{m_root};
  std::deque<std::string> pending(parts.begin(), parts.end());
  std::string walked; // the path as named so far, for messages
  int hops = 0;
  bool plain = true; // no symlink and no ".." on the way: the parent may be remembered
  while (!pending.empty()) {
    const std::string name = pending.front();
    pending.pop_front();
    if (name.empty() || name == ".")
      continue;
    if (name == "..") {
      plain = false;
      if (stack.size() > 1)
        stack.pop_back();
      continue;
    }
    walked += walked.empty() ? name : "/" + name;
    Inode& directory = *stack.back();
    auto found = directory.children.find(name);
    if (found == directory.children.end()) {
      if (!create_parents)
        throw Error("parent directory " + quote(walked) + " does not exist", quote(path));
      found = directory.children.emplace(name, make_directory()).first;
    }
    std::shared_ptr<Inode> child = found->second;
    if (child->type == FileType::symlink) {
      if (parents == ParentSymlinks::reject)
        throw Error("refusing to write through symlink " + quote(walked) + " -> " +
                        quote(child->target),
                    quote(path));
      plain = false;
      if (++hops > k_max_symlink_hops)
        throw Error("too many levels of symlinks", quote(path));
      const std::vector<std::string> target = split(child->target);
      pending.insert(pending.begin(), target.begin(), target.end());
      if (child->target.starts_with("/"))
        stack.resize(1); // absolute targets resolve inside the image root
      continue;
    }
    if (child->type != FileType::directory)
      throw Error("parent " + quote(walked) + " is a " + file_type_name(child->type) +
                      ", not a directory",
                  quote(path));
    stack.push_back(child);
  }
  if (plain && remember && slash != std::string::npos)
    remember_directory(path.substr(0, slash), stack.back());
  return stack.back();
}

bool Tree::add(const std::string& raw_path, Inode inode, Existing existing,
               ParentSymlinks parents, bool create_parents)
{
  const std::string path = normalise(raw_path);
  if (path.empty()) {
    if (inode.type != FileType::directory)
      throw Error("the root must be a directory", "/");
    m_root->mode = inode.mode;
    m_root->uid = inode.uid;
    m_root->gid = inode.gid;
    m_root->mtime = inode.mtime;
    m_root->xattrs = std::move(inode.xattrs);
    return true;
  }
  std::string leaf;
  const std::shared_ptr<Inode> parent = parent_for(path, leaf, parents, create_parents);
  auto found = parent->children.find(leaf);
  if (found != parent->children.end()) {
    Inode& old = *found->second;
    if (old.type == FileType::directory && inode.type == FileType::directory) {
      // Re-declaring a directory updates its metadata and keeps its contents.
      remember_directory(path, found->second);
      if (existing == Existing::keep)
        return false;
      old.mode = inode.mode;
      old.uid = inode.uid;
      old.gid = inode.gid;
      old.mtime = inode.mtime;
      old.xattrs = std::move(inode.xattrs);
      return true;
    }
    if (existing == Existing::keep)
      return false;
    if (existing == Existing::error)
      throw Error("a " + std::string(file_type_name(old.type)) + " already exists here",
                  quote(path));
    if (old.type == FileType::directory && !old.children.empty())
      throw Error("cannot replace non-empty directory with a " +
                      std::string(file_type_name(inode.type)),
                  quote(path));
    if (old.type == FileType::directory)
      forget_directory(); // it may be the one remembered
  }
  auto added = std::make_shared<Inode>(std::move(inode));
  if (added->type == FileType::directory)
    remember_directory(path, added);
  parent->children[leaf] = std::move(added);
  return true;
}

bool Tree::add_directory(const std::string& path, std::uint32_t mode, std::uint32_t uid,
                         std::uint32_t gid, bool create_parents)
{
  Inode inode;
  inode.type = FileType::directory;
  inode.mode = mode;
  inode.uid = uid;
  inode.gid = gid;
  return add(path, std::move(inode), Existing::replace, ParentSymlinks::reject, create_parents);
}

bool Tree::add_file(const std::string& path, std::string bytes, std::uint32_t mode,
                    std::uint32_t uid, std::uint32_t gid, Existing existing)
{
  Inode inode;
  inode.type = FileType::regular;
  inode.mode = mode;
  inode.uid = uid;
  inode.gid = gid;
  inode.content = Content(std::move(bytes));
  return add(path, std::move(inode), existing, ParentSymlinks::reject, true);
}

bool Tree::add_symlink(const std::string& path, std::string target, Existing existing)
{
  Inode inode;
  inode.type = FileType::symlink;
  inode.mode = 0777;
  inode.target = std::move(target);
  return add(path, std::move(inode), existing, ParentSymlinks::reject, true);
}

void Tree::add_hardlink(const std::string& raw_path, const std::string& existing_path,
                        Existing existing, ParentSymlinks parents)
{
  const std::string path = normalise(raw_path);
  std::shared_ptr<Inode> target = find(normalise(existing_path), parents);
  if (!target)
    throw Error("hard link target " + quote(existing_path) + " does not exist", quote(path));
  if (target->type == FileType::directory)
    throw Error("hard link target " + quote(existing_path) + " is a directory", quote(path));
  std::string leaf;
  const std::shared_ptr<Inode> parent = parent_for(path, leaf, parents, false);
  auto found = parent->children.find(leaf);
  if (found != parent->children.end()) {
    if (found->second == target || existing == Existing::keep)
      return;
    if (existing == Existing::error)
      throw Error("a " + std::string(file_type_name(found->second->type)) + " already exists here",
                  quote(path));
    if (found->second->type == FileType::directory)
      throw Error("cannot replace a directory with a hard link", quote(path));
  }
  parent->children[leaf] = target;
}

std::shared_ptr<Inode> Tree::find(const std::string& raw_path, ParentSymlinks parents) const
{
  std::string path;
  try {
    path = normalise(raw_path);
  } catch (const Error&) {
    return nullptr;
  }
  if (path.empty())
    return m_root;
  std::string leaf;
  std::shared_ptr<Inode> parent;
  try {
    parent = const_cast<Tree*>(this)->parent_for(path, leaf, parents, false, false);
  } catch (const Error&) {
    return nullptr;
  }
  const auto found = parent->children.find(leaf);
  return found == parent->children.end() ? nullptr : found->second;
}

std::shared_ptr<Inode> Tree::resolve(const std::string& path) const
{
  std::string current = path;
  for (int hop = 0; hop <= k_max_symlink_hops; ++hop) {
    std::shared_ptr<Inode> inode = find(current, ParentSymlinks::follow);
    if (!inode || inode->type != FileType::symlink)
      return inode;
    if (inode->target.starts_with("/")) {
      current = inode->target;
    } else {
      const std::size_t slash = current.rfind('/');
      current = (slash == std::string::npos ? "" : current.substr(0, slash + 1)) + inode->target;
    }
    // Collapse "." and ".." textually, never above the root.
    std::vector<std::string> kept;
    for (const std::string& part : split(current)) {
      if (part.empty() || part == ".")
        continue;
      if (part == "..") {
        if (!kept.empty())
          kept.pop_back();
        continue;
      }
      kept.push_back(part);
    }
    current.clear();
    for (const std::string& part : kept)
      current += (current.empty() ? "" : "/") + part;
  }
  return nullptr;
}

bool Tree::remove(const std::string& raw_path)
{
  const std::string path = normalise(raw_path);
  if (path.empty())
    throw Error("cannot remove the root directory", "/");
  std::string leaf;
  std::shared_ptr<Inode> parent;
  try {
    parent = parent_for(path, leaf, ParentSymlinks::reject, false, false);
  } catch (const Error&) {
    return false;
  }
  forget_directory(); // the subtree may hold the one remembered
  return parent->children.erase(leaf) != 0;
}

void Tree::walk(const std::function<void(const Visit&)>& visitor) const
{
  // Explicit stacks, not recursion: the depth is the input's (an archive may nest 10,000 deep).
  std::unordered_map<const Inode*, std::uint32_t> counts;
  std::vector<const Inode*> to_count{m_root.get()};
  while (!to_count.empty()) {
    const Inode* directory = to_count.back();
    to_count.pop_back();
    for (const auto& [name, child] : directory->children) {
      ++counts[child.get()];
      if (child->type == FileType::directory)
        to_count.push_back(child.get());
    }
  }

  std::unordered_map<const Inode*, std::string> first_paths;
  const std::string root_path;
  visitor(Visit{root_path, *m_root, true, root_path, 1});
  struct Level {
    const Inode* directory;
    std::string prefix;
    std::map<std::string, std::shared_ptr<Inode>>::const_iterator next;
  };
  std::vector<Level> stack;
  stack.push_back(Level{m_root.get(), root_path, m_root->children.begin()});
  while (!stack.empty()) {
    Level& level = stack.back();
    if (level.next == level.directory->children.end()) {
      stack.pop_back();
      continue;
    }
    const auto& [name, child] = *level.next++;
    std::string path = level.prefix.empty() ? name : level.prefix + "/" + name;
    const auto [slot, first] = first_paths.try_emplace(child.get(), path);
    visitor(Visit{path, *child, first, slot->second, counts[child.get()]});
    if (child->type == FileType::directory) {
      const Inode* directory = child.get();
      stack.push_back(Level{directory, std::move(path), directory->children.begin()});
    }
  }
}

Tree::Stats Tree::stats() const
{
  Stats stats;
  walk([&](const Visit& visit) {
    ++stats.names;
    if (!visit.first_name)
      return;
    ++stats.inodes;
    if (visit.inode.type == FileType::directory)
      ++stats.directories;
    stats.content_bytes += visit.inode.content.size();
  });
  return stats;
}

} // namespace compose::stage
