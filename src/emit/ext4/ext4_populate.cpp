// Tree entries become ext4 inodes; see ext4_populate.hpp. Directories, symlinks and names
// go through libext2fs (ext2fs_mkdir, ext2fs_symlink, ext2fs_link); file data is written
// in long runs straight to the image with extents built here, which is what makes this
// faster than copying block by block through ext2fs_file_write.
#include "emit/ext4/ext4_populate.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "emit/ext4/ext4_geometry.hpp"
#include "util/error.hpp"

namespace compose::emit::ext4 {
namespace {

std::string place(const std::string& path) { return quote("/" + path); }

std::uint16_t type_bits(stage::FileType type)
{
  switch (type) {
  case stage::FileType::regular: return LINUX_S_IFREG;
  case stage::FileType::directory: return LINUX_S_IFDIR;
  case stage::FileType::symlink: return LINUX_S_IFLNK;
  case stage::FileType::char_device: return LINUX_S_IFCHR;
  case stage::FileType::block_device: return LINUX_S_IFBLK;
  case stage::FileType::fifo: return LINUX_S_IFIFO;
  case stage::FileType::socket: return LINUX_S_IFSOCK;
  }
  return LINUX_S_IFREG;
}

int directory_entry_type(stage::FileType type)
{
  switch (type) {
  case stage::FileType::regular: return EXT2_FT_REG_FILE;
  case stage::FileType::directory: return EXT2_FT_DIR;
  case stage::FileType::symlink: return EXT2_FT_SYMLINK;
  case stage::FileType::char_device: return EXT2_FT_CHRDEV;
  case stage::FileType::block_device: return EXT2_FT_BLKDEV;
  case stage::FileType::fifo: return EXT2_FT_FIFO;
  case stage::FileType::socket: return EXT2_FT_SOCK;
  }
  return EXT2_FT_UNKNOWN;
}

// Large writes go to the image in pieces of this many blocks (256 KiB): measured here,
// writing 1 GiB into the page cache took 0.25 s in 256 KiB pieces and 1.3 s in 8 MiB ones.
constexpr std::uint64_t k_write_chunk_blocks = 64;
constexpr std::uint64_t k_max_extent_length = 32768;

} // namespace

void set_inode_times(ext2_inode_large& inode, std::int64_t epoch)
{
  // ext4 stores seconds as a signed 32-bit value plus two epoch bits in the *_extra
  // fields (nanoseconds stay 0).
  const auto low = static_cast<std::uint32_t>(epoch);
  const std::int64_t signed_low = static_cast<std::int32_t>(low);
  const auto extra = static_cast<std::uint32_t>(((epoch - signed_low) >> 32) & EXT4_EPOCH_MASK);
  inode.i_atime = inode.i_ctime = inode.i_mtime = inode.i_crtime = low;
  inode.i_atime_extra = inode.i_ctime_extra = inode.i_mtime_extra = inode.i_crtime_extra = extra;
}

TreeWriter::TreeWriter(ext2_filsys fs, std::int64_t epoch, ext2_ino_t lost_and_found,
                       const std::unordered_map<const stage::Inode*, std::vector<DataRun>>& runs)
    : m_fs(fs), m_epoch(epoch), m_runs(runs), m_lost_and_found(lost_and_found),
      m_buffer(k_write_chunk_blocks * k_block_size)
{
}

std::vector<DataRun> TreeWriter::runs_of(const stage::Inode& entry) const
{
  const auto found = m_runs.find(&entry);
  return found != m_runs.end() ? found->second : data_runs(entry.content);
}

void TreeWriter::add(const stage::Tree::Visit& visit)
{
  const std::string& path = visit.path;
  const stage::Inode& entry = visit.inode;
  if (path.empty()) { // the root directory, made with the file system, holding lost+found
    m_directory_index.emplace(path, m_directories.size());
    m_directories.push_back(
        {EXT2_ROOT_INO, EXT2_ROOT_INO, path, {{"lost+found", m_lost_and_found, EXT2_FT_DIR}}});
    set_metadata(EXT2_ROOT_INO, entry, 0, path);
    write_xattrs(EXT2_ROOT_INO, entry, path);
    return;
  }
  const std::size_t slash = path.rfind('/');
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  // An index, not a reference: add_directory() may grow m_directories.
  const std::size_t parent = m_directory_index.at(
      slash == std::string::npos ? std::string() : path.substr(0, slash));
  const ext2_ino_t parent_ino = m_directories[parent].ino;
  const int file_type = directory_entry_type(entry.type);

  if (!visit.first_name) { // a hard link: one more name, the link count was set up front
    m_directories[parent].entries.push_back({name, m_inodes.at(&entry), file_type});
    return;
  }

  ext2_ino_t ino = 0;
  const bool is_lost_and_found =
      parent_ino == EXT2_ROOT_INO && name == "lost+found" && entry.type == stage::FileType::directory;
  if (!is_lost_and_found && parent_ino == EXT2_ROOT_INO && name == "lost+found")
    throw Error("lost+found must be a directory, not a " +
                    std::string(stage::file_type_name(entry.type)),
                place(path), "ext4 keeps lost+found for e2fsck; remove this entry from the tree");
  switch (entry.type) {
  case stage::FileType::directory:
    ino = is_lost_and_found ? m_lost_and_found : add_directory(parent_ino, path);
    set_metadata(ino, entry, 0, path);
    break;
  case stage::FileType::symlink:
    ino = new_inode(parent_ino, LINUX_S_IFLNK | 0777, path);
    add_symlink(parent_ino, ino, entry, path);
    set_metadata(ino, entry, visit.link_count, path);
    break;
  default: {
    ino = new_inode(parent_ino, type_bits(entry.type) | (entry.mode & 07777), path);
    ext2fs_inode_alloc_stats2(m_fs, ino, +1, 0);
    ext2_inode_large inode{};
    fill(inode, entry, visit.link_count);
    write_contents(ino, inode, entry, path);
    break;
  }
  }
  if (!is_lost_and_found) // already named in the root
    m_directories[parent].entries.push_back({name, ino, file_type});
  m_inodes.emplace(&entry, ino);
  write_xattrs(ino, entry, path);
}

ext2_ino_t TreeWriter::new_inode(ext2_ino_t parent, std::uint32_t mode, const std::string& path)
{
  // This only finds a free inode: whoever fills it marks it in use (ext2fs_mkdir and
  // ext2fs_symlink do so themselves), before the next one is looked for.
  ext2_ino_t ino = 0;
  check(ext2fs_new_inode(m_fs, parent, static_cast<int>(mode), nullptr, &ino),
        "cannot allocate an inode (the image has too few)", place(path));
  return ino;
}

ext2_ino_t TreeWriter::add_directory(ext2_ino_t parent, const std::string& path)
{
  const ext2_ino_t ino = new_inode(parent, LINUX_S_IFDIR | 0755, path);
  // Without a name ext2fs_mkdir makes the directory (one block, counted in the parent's
  // links) but links it nowhere: its name goes into the parent's entries.
  check(ext2fs_mkdir(m_fs, parent, ino, nullptr), "cannot make the directory", place(path));
  m_directory_index.emplace(path, m_directories.size());
  m_directories.push_back({ino, parent, path, {}});
  return ino;
}

void TreeWriter::finish()
{
  for (const Directory& directory : m_directories)
    write_directory(directory);
}

void TreeWriter::write_directory(const Directory& directory)
{
  // Linear directory blocks as the kernel writes them: ".", "..", then the names; the last
  // entry of a block stretches to its end (or to the 12-byte checksum tail).
  const bool checksums = ext2fs_has_feature_metadata_csum(m_fs->super);
  const bool types = ext2fs_has_feature_filetype(m_fs->super);
  const unsigned int usable = k_block_size - (checksums ? sizeof(ext2_dir_entry_tail) : 0);
  std::vector<std::vector<char>> blocks;
  unsigned int offset = usable, last = 0;
  const auto close_block = [&] {
    if (blocks.empty())
      return;
    auto* entry = reinterpret_cast<ext2_dir_entry*>(blocks.back().data() + last);
    check(ext2fs_set_rec_len(m_fs, usable - last, entry), "cannot lay out the directory",
          place(directory.path));
    if (checksums)
      ext2fs_initialize_dirent_tail(
          m_fs, EXT2_DIRENT_TAIL(blocks.back().data(), k_block_size));
  };
  const auto append = [&](const std::string& name, ext2_ino_t ino, int file_type) {
    const auto length = static_cast<unsigned int>((8 + name.size() + 3) & ~std::size_t{3});
    if (offset + length > usable) {
      close_block();
      blocks.emplace_back(k_block_size, '\0');
      offset = 0;
    }
    auto* entry = reinterpret_cast<ext2_dir_entry*>(blocks.back().data() + offset);
    entry->inode = ino;
    check(ext2fs_set_rec_len(m_fs, length, entry), "cannot lay out the directory",
          place(directory.path));
    ext2fs_dirent_set_name_len(entry, static_cast<int>(name.size()));
    ext2fs_dirent_set_file_type(entry, types ? file_type : 0);
    std::memcpy(entry->name, name.data(), name.size());
    last = offset;
    offset += length;
  };
  append(".", directory.ino, EXT2_FT_DIR);
  append("..", directory.parent, EXT2_FT_DIR);
  for (const Entry& entry : directory.entries)
    append(entry.name, entry.ino, entry.file_type);
  close_block();

  ext2_inode inode{};
  check(ext2fs_read_inode(m_fs, directory.ino, &inode), "cannot read the directory",
        place(directory.path));
  std::uint64_t existing = EXT2_I_SIZE(&inode) / k_block_size;
  for (; existing < blocks.size(); ++existing)
    check(ext2fs_expand_dir(m_fs, directory.ino), "cannot grow the directory",
          place(directory.path));
  // Blocks the directory had beyond its entries (lost+found keeps 16 KiB) stay empty.
  std::vector<char> empty(k_block_size, '\0');
  check(ext2fs_set_rec_len(m_fs, usable, reinterpret_cast<ext2_dir_entry*>(empty.data())),
        "cannot lay out the directory", place(directory.path));
  if (checksums)
    ext2fs_initialize_dirent_tail(m_fs, EXT2_DIRENT_TAIL(empty.data(), k_block_size));
  for (std::uint64_t logical = 0; logical < existing; ++logical) {
    blk64_t physical = 0;
    check(ext2fs_bmap2(m_fs, directory.ino, nullptr, nullptr, 0, logical, nullptr, &physical),
          "cannot map the directory", place(directory.path));
    char* data = logical < blocks.size() ? blocks[logical].data() : empty.data();
    check(ext2fs_write_dir_block4(m_fs, physical, data, 0, directory.ino),
          "cannot write the directory", place(directory.path));
  }
}

void TreeWriter::add_symlink(ext2_ino_t parent, ext2_ino_t ino, const stage::Inode& inode,
                             const std::string& path)
{
  // Targets under 60 bytes live in i_block ("fast"), longer ones in a data block. Without
  // a name ext2fs_symlink links it nowhere: its name goes into the parent's entries.
  check(ext2fs_symlink(m_fs, parent, ino, nullptr, inode.target.c_str()),
        "cannot make the symlink", place(path));
}

void TreeWriter::fill(ext2_inode_large& inode, const stage::Inode& entry,
                      std::uint32_t links) const
{
  inode.i_mode = static_cast<std::uint16_t>(type_bits(entry.type) | (entry.mode & 07777));
  inode.i_uid = static_cast<std::uint16_t>(entry.uid & 0xffff);
  inode.i_gid = static_cast<std::uint16_t>(entry.gid & 0xffff);
  ext2fs_set_i_uid_high(inode, static_cast<std::uint16_t>(entry.uid >> 16));
  ext2fs_set_i_gid_high(inode, static_cast<std::uint16_t>(entry.gid >> 16));
  inode.i_links_count = static_cast<std::uint16_t>(links);
  inode.i_extra_isize = sizeof(ext2_inode_large) - EXT2_GOOD_OLD_INODE_SIZE;
  set_inode_times(inode, m_epoch);
  if (entry.type == stage::FileType::char_device || entry.type == stage::FileType::block_device) {
    const std::uint32_t major = entry.rdev_major, minor = entry.rdev_minor;
    // The old encoding when both fit a byte (what the kernel writes), else the new one.
    if (major < 256 && minor < 256) {
      inode.i_block[0] = major * 256 + minor;
    } else {
      inode.i_block[1] = (minor & 0xff) | (major << 8) | ((minor & ~0xffu) << 12);
    }
  }
}

void TreeWriter::set_metadata(ext2_ino_t ino, const stage::Inode& entry, std::uint32_t links,
                              const std::string& path)
{
  ext2_inode_large inode{};
  read_inode(ino, inode, path);
  const std::uint16_t keep_links = inode.i_links_count;
  const std::array<std::uint32_t, EXT2_N_BLOCKS> blocks = std::to_array(inode.i_block);
  fill(inode, entry, links != 0 ? links : keep_links);
  std::copy(blocks.begin(), blocks.end(), inode.i_block);
  write_inode(ino, inode, path);
}

void TreeWriter::write_contents(ext2_ino_t ino, ext2_inode_large& inode,
                                const stage::Inode& entry, const std::string& path)
{
  const stage::Content& content = entry.content;
  if (entry.type != stage::FileType::regular) {
    write_inode(ino, inode, path);
    return;
  }
  if (!ext2fs_has_feature_extents(m_fs->super)) {
    write_inode(ino, inode, path);
    write_with_file_api(ino, entry, path);
    return;
  }
  auto* plain = reinterpret_cast<ext2_inode*>(&inode);
  plain->i_flags |= EXT4_EXTENTS_FL;
  // ext2fs_inode_size_set also turns on large_file for files of 2 GiB and more.
  check(ext2fs_inode_size_set(m_fs, plain, content.size()), "cannot set the file size",
        place(path));
  ext2_extent_handle_t handle = nullptr;
  check(ext2fs_extent_open2(m_fs, ino, plain, &handle), "cannot start the extent tree",
        place(path));
  const std::unique_ptr<std::remove_pointer_t<ext2_extent_handle_t>,
                        FreeWith<ext2fs_extent_free>>
      owner(handle);
  if (m_goal == 0)
    m_goal = ext2fs_find_inode_goal(m_fs, ino, plain, 0);
  bool first_extent = true;
  for (const DataRun& run : runs_of(entry)) {
    std::uint64_t logical = run.first, remaining = run.count;
    while (remaining > 0) {
      blk64_t physical = 0, length = 0;
      // At most 4 GiB per range, so block counts fit libext2fs's 32-bit parameters.
      const blk64_t wanted = std::min<std::uint64_t>(remaining, 1u << 20);
      check(ext2fs_new_range(m_fs, 0, m_goal, wanted, nullptr, &physical, &length),
            "no room for the file's data (the image is too small)", place(path));
      ext2fs_block_alloc_stats_range(m_fs, physical, static_cast<blk_t>(length), +1);
      // Whole blocks from the content; a last partial block padded with zeros.
      for (std::uint64_t done = 0; done < length;) {
        const std::uint64_t offset = (logical + done) * k_block_size;
        const std::uint64_t count = std::min<std::uint64_t>(length - done, k_write_chunk_blocks);
        const std::size_t present =
            std::min<std::uint64_t>(count * k_block_size, content.size() - offset);
        content.read_at(offset, m_buffer.data(), present);
        std::memset(m_buffer.data() + present, 0, count * k_block_size - present);
        check(io_channel_write_blk64(m_fs->io, physical + done, static_cast<int>(count),
                                     m_buffer.data()),
              "cannot write the file's data", place(path));
        done += count;
      }
      for (std::uint64_t done = 0; done < length;) {
        ext2fs_extent extent{};
        extent.e_lblk = logical + done;
        extent.e_pblk = physical + done;
        extent.e_len = static_cast<std::uint32_t>(std::min<std::uint64_t>(length - done, k_max_extent_length));
        check(ext2fs_extent_insert(handle, first_extent ? 0 : EXT2_EXTENT_INSERT_AFTER, &extent),
              "cannot add an extent", place(path));
        first_extent = false;
        done += extent.e_len;
      }
      check(ext2fs_iblk_add_blocks(m_fs, plain, static_cast<blk_t>(length)), "cannot count the file's blocks",
            place(path));
      m_goal = physical + length;
      logical += length;
      remaining -= length;
    }
  }
  // The extent handle may have written the inode's first 128 bytes while splitting nodes;
  // the full inode, with times and extra fields, goes last.
  write_inode(ino, inode, path);
}

void TreeWriter::write_with_file_api(ext2_ino_t ino, const stage::Inode& entry,
                                     const std::string& path)
{
  // Without extents (indirect blocks) libext2fs maps the blocks; holes are skipped.
  ext2_file_t file = nullptr;
  check(ext2fs_file_open(m_fs, ino, EXT2_FILE_WRITE, &file), "cannot open the file",
        place(path));
  const std::unique_ptr<std::remove_pointer_t<ext2_file_t>, FreeWith<ext2fs_file_close>> owner(
      file);
  const stage::Content& content = entry.content;
  for (const DataRun& run : runs_of(entry)) {
    const std::uint64_t start = run.first * k_block_size;
    const std::uint64_t end = std::min<std::uint64_t>((run.first + run.count) * k_block_size,
                                                      content.size());
    check(ext2fs_file_llseek(file, start, EXT2_SEEK_SET, nullptr), "cannot seek in the file",
          place(path));
    for (std::uint64_t offset = start; offset < end;) {
      const auto wanted = static_cast<unsigned int>(
          std::min<std::uint64_t>(end - offset, m_buffer.size()));
      content.read_at(offset, m_buffer.data(), wanted);
      unsigned int written = 0;
      check(ext2fs_file_write(file, m_buffer.data(), wanted, &written),
            "cannot write the file's data", place(path));
      offset += written;
    }
  }
  // ext2fs_file_write grows the size only to the last byte written; a trailing hole
  // needs the size set.
  check(ext2fs_file_set_size2(file, content.size()), "cannot set the file size", place(path));
}

void TreeWriter::write_xattrs(ext2_ino_t ino, const stage::Inode& entry, const std::string& path)
{
  if (entry.xattrs.empty())
    return;
  ext2_xattr_handle* handle = nullptr;
  check(ext2fs_xattrs_open(m_fs, ino, &handle), "cannot open the xattrs", place(path));
  const auto close = [](ext2_xattr_handle* h) { ext2fs_xattrs_close(&h); };
  const std::unique_ptr<ext2_xattr_handle, decltype(close)> owner(handle, close);
  check(ext2fs_xattrs_read(handle), "cannot read the xattrs", place(path));
  for (const auto& [name, value] : entry.xattrs) // sorted by name
    check(ext2fs_xattr_set(handle, name.c_str(), value.data(), value.size()),
          "cannot store xattr " + quote(name), place(path));
}

void TreeWriter::read_inode(ext2_ino_t ino, ext2_inode_large& inode, const std::string& path)
{
  check(ext2fs_read_inode_full(m_fs, ino, reinterpret_cast<ext2_inode*>(&inode), sizeof inode),
        "cannot read inode " + std::to_string(ino), place(path));
}

void TreeWriter::write_inode(ext2_ino_t ino, ext2_inode_large& inode, const std::string& path)
{
  check(ext2fs_write_inode_full(m_fs, ino, reinterpret_cast<ext2_inode*>(&inode), sizeof inode),
        "cannot write inode " + std::to_string(ino), place(path));
}

} // namespace compose::emit::ext4
