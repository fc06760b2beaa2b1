// Adding files, links and directories for script effects; see tree_writes.hpp.
#include "unpack/deb/tree_writes.hpp"

namespace compose::unpack::deb {

namespace {

void write_entry(stage::Tree& tree, const std::string& path, stage::Inode inode, std::int64_t epoch)
{
  inode.mtime = epoch;
  tree.add(stage::Tree::normalise(path), std::move(inode), stage::Existing::replace,
           stage::ParentSymlinks::follow, true);
}

} // namespace

void write_file(stage::Tree& tree, const std::string& path, std::string bytes, std::uint32_t mode,
                std::int64_t epoch, std::uint32_t gid)
{
  stage::Inode inode;
  inode.mode = mode;
  inode.gid = gid;
  inode.content = stage::Content(std::move(bytes));
  write_entry(tree, path, std::move(inode), epoch);
}

void write_symlink(stage::Tree& tree, const std::string& path, const std::string& target,
                   std::int64_t epoch)
{
  stage::Inode inode;
  inode.type = stage::FileType::symlink;
  inode.mode = 0777;
  inode.target = target;
  write_entry(tree, path, std::move(inode), epoch);
}

void write_directory(stage::Tree& tree, const std::string& path, std::uint32_t mode,
                     std::int64_t epoch, std::uint32_t uid, std::uint32_t gid)
{
  stage::Inode inode;
  inode.type = stage::FileType::directory;
  inode.mode = mode;
  inode.uid = uid;
  inode.gid = gid;
  write_entry(tree, path, std::move(inode), epoch);
}

} // namespace compose::unpack::deb
