// Read-only checks and listing of an ext4 image through libext2fs; see ext4_inspect.hpp.
#include "emit/ext4/ext4_inspect.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <functional>
#include <set>

#include "emit/ext4/ext2fs_call.hpp"
#include "emit/ext4/ext4_geometry.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::emit {
namespace {

using ext4::check;

stage::FileType type_of(std::uint16_t mode)
{
  switch (mode & 0xf000) {
  case LINUX_S_IFDIR: return stage::FileType::directory;
  case LINUX_S_IFLNK: return stage::FileType::symlink;
  case LINUX_S_IFCHR: return stage::FileType::char_device;
  case LINUX_S_IFBLK: return stage::FileType::block_device;
  case LINUX_S_IFIFO: return stage::FileType::fifo;
  case LINUX_S_IFSOCK: return stage::FileType::socket;
  default: return stage::FileType::regular;
  }
}

std::string format_uuid(const unsigned char* bytes)
{
  std::string text = to_hex(std::string(reinterpret_cast<const char*>(bytes), 16));
  for (const std::size_t at : {20u, 16u, 12u, 8u})
    text.insert(at, "-");
  return text;
}

// libext2fs gives ACL entries without a user or group id (user::, group::, mask::,
// other::) the id 0; the kernel reports ACL_UNDEFINED_ID (0xffffffff) for them, and that
// is what tar and getfattr hand on: report what a mounted image would show.
void undefine_acl_ids(std::string& acl)
{
  constexpr std::size_t header = 4, entry = 8;
  for (std::size_t at = header; at + entry <= acl.size(); at += entry) {
    const unsigned tag = static_cast<unsigned char>(acl[at]) |
                         (static_cast<unsigned>(static_cast<unsigned char>(acl[at + 1])) << 8);
    const bool has_id = tag == 0x02 || tag == 0x08; // ACL_USER, ACL_GROUP
    if (!has_id)
      std::fill_n(acl.begin() + static_cast<std::ptrdiff_t>(at + 4), 4, '\xff');
  }
}

class Reader {
public:
  Reader(ext2_filsys fs, Ext4Report& report) : m_fs(fs), m_report(report) {}

  // Depth first, as the tree is listed. A damaged image may link a directory into itself or
  // into two places: each directory is listed once, and no deeper than a path can reach.
  void list(ext2_ino_t directory, const std::string& prefix, std::size_t depth = 0)
  {
    if (!m_listed.insert(directory).second) {
      problem("/" + prefix + ": directory inode " + std::to_string(directory) +
              " is linked more than once (a directory loop)");
      return;
    }
    if (depth > k_max_depth) {
      problem("/" + prefix.substr(0, 256) + "…: directories nested deeper than " +
              std::to_string(k_max_depth) + " levels");
      return;
    }
    std::vector<std::pair<std::string, ext2_ino_t>> children;
    const errcode_t code = ext2fs_dir_iterate2(m_fs, directory, 0, nullptr, collect, &children);
    if (code != 0) {
      problem("/" + prefix + ": cannot read the directory: " + error_message(code));
      return;
    }
    std::sort(children.begin(), children.end());
    for (const auto& [name, ino] : children) {
      const std::string path = prefix.empty() ? name : prefix + "/" + name;
      const Ext4Entry& entry = add(path, ino);
      if (entry.type == stage::FileType::directory)
        list(ino, path, depth + 1);
    }
  }

  const Ext4Entry& add(const std::string& path, ext2_ino_t ino)
  {
    Ext4Entry entry;
    entry.path = path;
    entry.inode = ino;
    ext2_inode_large inode{};
    const errcode_t code = ext2fs_read_inode_full(
        m_fs, ino, reinterpret_cast<ext2_inode*>(&inode), sizeof inode);
    if (code != 0) {
      problem("/" + path + ": cannot read inode " + std::to_string(ino) + ": " +
              error_message(code));
      m_report.entries.push_back(entry);
      return m_report.entries.back();
    }
    auto* plain = reinterpret_cast<ext2_inode*>(&inode);
    entry.type = type_of(inode.i_mode);
    entry.mode = inode.i_mode & 07777;
    entry.uid = inode.i_uid | (static_cast<std::uint32_t>(inode.osd2.linux2.l_i_uid_high) << 16);
    entry.gid = inode.i_gid | (static_cast<std::uint32_t>(inode.osd2.linux2.l_i_gid_high) << 16);
    entry.size = EXT2_I_SIZE(plain);
    entry.links = inode.i_links_count;
    switch (entry.type) {
    case stage::FileType::regular: entry.sha256 = read_content(ino, path, entry.size); break;
    case stage::FileType::symlink:
      if (ext2fs_is_fast_symlink(plain))
        entry.target.assign(reinterpret_cast<const char*>(inode.i_block),
                            std::min<std::uint64_t>(entry.size, sizeof inode.i_block));
      else
        read_content(ino, path, entry.size, &entry.target);
      break;
    case stage::FileType::char_device:
    case stage::FileType::block_device:
      if (inode.i_block[0] != 0) {
        entry.rdev_major = (inode.i_block[0] >> 8) & 0xff;
        entry.rdev_minor = inode.i_block[0] & 0xff;
      } else {
        const std::uint32_t packed = inode.i_block[1];
        entry.rdev_major = (packed >> 8) & 0xfff;
        entry.rdev_minor = (packed & 0xff) | ((packed >> 12) & 0xfff00);
      }
      break;
    default: break;
    }
    read_xattrs(ino, path, entry.xattrs);
    m_report.entries.push_back(std::move(entry));
    return m_report.entries.back();
  }

private:
  static int collect(ext2_ino_t, int kind, ext2_dir_entry* dirent, int, int, char*, void* data)
  {
    if (kind == DIRENT_DOT_FILE || kind == DIRENT_DOT_DOT_FILE || dirent->inode == 0)
      return 0;
    auto& children = *static_cast<std::vector<std::pair<std::string, ext2_ino_t>>*>(data);
    children.emplace_back(
        std::string(dirent->name, static_cast<std::size_t>(ext2fs_dirent_name_len(dirent))),
        dirent->inode);
    return 0;
  }

  // Returns the SHA-256 of the content; with `bytes`, also keeps them.
  std::string read_content(ext2_ino_t ino, const std::string& path, std::uint64_t size,
                           std::string* bytes = nullptr)
  {
    Hasher hasher(DigestAlgorithm::sha256);
    // Holes read as zeros: a damaged size of 2^60 bytes would be read for ever. No file of
    // an image compose wrote is larger than the file system.
    const std::uint64_t capacity = ext2fs_blocks_count(m_fs->super) * m_fs->blocksize;
    if (size > capacity) {
      problem("/" + path + ": size " + std::to_string(size) + " is larger than the file system (" +
              std::to_string(capacity) + " bytes)");
      return {};
    }
    ext2_file_t file = nullptr;
    errcode_t code = ext2fs_file_open(m_fs, ino, 0, &file);
    if (code != 0) {
      problem("/" + path + ": cannot open: " + error_message(code));
      return {};
    }
    const std::unique_ptr<std::remove_pointer_t<ext2_file_t>, FreeWith<ext2fs_file_close>>
        owner(file);
    std::vector<char> buffer(1 << 16);
    std::uint64_t total = 0;
    for (;;) {
      unsigned int got = 0;
      code = ext2fs_file_read(file, buffer.data(), static_cast<unsigned int>(buffer.size()), &got);
      if (code != 0) {
        problem("/" + path + ": cannot read: " + error_message(code));
        return {};
      }
      if (got == 0)
        break;
      hasher.update(buffer.data(), got);
      if (bytes)
        bytes->append(buffer.data(), got);
      total += got;
    }
    if (total != size)
      problem("/" + path + ": read " + std::to_string(total) + " bytes of " +
              std::to_string(size));
    return hasher.finish_hex();
  }

  void read_xattrs(ext2_ino_t ino, const std::string& path,
                   std::map<std::string, std::string>& xattrs)
  {
    ext2_xattr_handle* handle = nullptr;
    errcode_t code = ext2fs_xattrs_open(m_fs, ino, &handle);
    if (code == EXT2_ET_MISSING_EA_FEATURE)
      return;
    if (code == 0) {
      code = ext2fs_xattrs_read(handle);
      // Names from the iteration; values through ext2fs_xattr_get, which turns ext4's
      // on-disk POSIX ACLs back into the xattr form the tree holds.
      std::vector<std::string> names;
      if (code == 0)
        code = ext2fs_xattrs_iterate(
            handle,
            [](char* name, char*, size_t, void* data) {
              static_cast<std::vector<std::string>*>(data)->emplace_back(name);
              return 0;
            },
            &names);
      for (const std::string& name : names) {
        void* value = nullptr;
        size_t length = 0;
        code = ext2fs_xattr_get(handle, name.c_str(), &value, &length);
        if (code != 0)
          break;
        std::string bytes(static_cast<const char*>(value), length);
        ext2fs_free_mem(&value);
        if (name.starts_with("system.posix_acl_"))
          undefine_acl_ids(bytes);
        xattrs[name] = std::move(bytes);
      }
      ext2fs_xattrs_close(&handle);
    }
    if (code != 0)
      problem("/" + path + ": cannot read xattrs: " + error_message(code));
  }

  void problem(std::string text) { m_report.problems.push_back(std::move(text)); }

  // PATH_MAX is 4096: a path of one-letter names ("a/a/…") nests at most 2048 directories.
  static constexpr std::size_t k_max_depth = 2048;

  ext2_filsys m_fs;
  Ext4Report& m_report;
  std::set<ext2_ino_t> m_listed;
};

// The bits of an on-disk bitmap block past the group's last inode or block must be set, as
// mke2fs and the kernel leave them (e2fsck: "Padding at end of inode bitmap is not set").
// libext2fs reads only the bits in use, so this looks at the blocks themselves.
void check_bitmap_padding(ext2_filsys fs, Ext4Report& report)
{
  std::vector<unsigned char> block(fs->blocksize);
  const std::size_t bits = std::size_t{fs->blocksize} * 8;
  auto padded = [&](blk64_t location, std::size_t used) {
    if (location == 0 || location >= ext2fs_blocks_count(fs->super) ||
        io_channel_read_blk64(fs->io, location, 1, block.data()) != 0)
      return true; // unreadable: ext2fs_read_bitmaps reports it
    for (std::size_t bit = used; bit < bits; ++bit)
      if (!(block[bit / 8] & (1u << (bit % 8))))
        return false;
    return true;
  };
  const std::uint64_t data_blocks =
      ext2fs_blocks_count(fs->super) - fs->super->s_first_data_block;
  for (dgrp_t group = 0; group < fs->group_desc_count; ++group) {
    const std::string where = "group " + std::to_string(group) + ": ";
    if (!ext2fs_bg_flags_test(fs, group, EXT2_BG_INODE_UNINIT) &&
        !padded(ext2fs_inode_bitmap_loc(fs, group), EXT2_INODES_PER_GROUP(fs->super)))
      report.problems.push_back(where + "padding at end of inode bitmap is not set");
    std::size_t blocks = EXT2_CLUSTERS_PER_GROUP(fs->super);
    if (group + 1 == fs->group_desc_count && data_blocks % EXT2_BLOCKS_PER_GROUP(fs->super) != 0)
      blocks = EXT2FS_NUM_B2C(fs, data_blocks % EXT2_BLOCKS_PER_GROUP(fs->super));
    if (!ext2fs_bg_flags_test(fs, group, EXT2_BG_BLOCK_UNINIT) &&
        !padded(ext2fs_block_bitmap_loc(fs, group), blocks))
      report.problems.push_back(where + "padding at end of block bitmap is not set");
  }
}

// Every inode's checksum, the bitmaps' padding, and the free counts against the bitmaps.
void check_metadata(ext2_filsys fs, Ext4Report& report)
{
  check_bitmap_padding(fs, report);
  errcode_t code = ext2fs_read_bitmaps(fs);
  if (code != 0) {
    report.problems.push_back(std::string("cannot read the bitmaps: ") + error_message(code));
    return;
  }
  ext2_inode_scan scan = nullptr;
  check(ext2fs_open_inode_scan(fs, 0, &scan), "cannot scan the inodes");
  const std::unique_ptr<std::remove_pointer_t<ext2_inode_scan>,
                        FreeWith<ext2fs_close_inode_scan>>
      owner(scan);
  std::vector<char> buffer(EXT2_INODE_SIZE(fs->super));
  for (;;) {
    ext2_ino_t ino = 0;
    code = ext2fs_get_next_inode_full(scan, &ino, reinterpret_cast<ext2_inode*>(buffer.data()),
                                      static_cast<int>(buffer.size()));
    if (code == 0 && ino == 0)
      break;
    if (code != 0 && code != EXT2_ET_INODE_CSUM_INVALID && code != EXT2_ET_INODE_IS_GARBAGE) {
      report.problems.push_back(std::string("cannot scan the inodes: ") + error_message(code));
      break;
    }
    if (code != 0)
      report.problems.push_back("inode " + std::to_string(ino) + ": " + error_message(code));
  }
  std::uint64_t free_blocks = 0, free_inodes = 0;
  for (blk64_t block = fs->super->s_first_data_block; block < ext2fs_blocks_count(fs->super);
       ++block)
    free_blocks += ext2fs_test_block_bitmap2(fs->block_map, block) ? 0 : 1;
  for (ext2_ino_t ino = 1; ino <= fs->super->s_inodes_count; ++ino)
    free_inodes += ext2fs_test_inode_bitmap2(fs->inode_map, ino) ? 0 : 1;
  if (free_blocks != report.free_blocks)
    report.problems.push_back("superblock counts " + std::to_string(report.free_blocks) +
                              " free blocks, the bitmaps " + std::to_string(free_blocks));
  if (free_inodes != report.free_inodes)
    report.problems.push_back("superblock counts " + std::to_string(report.free_inodes) +
                              " free inodes, the bitmaps " + std::to_string(free_inodes));
}

char type_letter(stage::FileType type)
{
  switch (type) {
  case stage::FileType::regular: return '-';
  case stage::FileType::directory: return 'd';
  case stage::FileType::symlink: return 'l';
  case stage::FileType::char_device: return 'c';
  case stage::FileType::block_device: return 'b';
  case stage::FileType::fifo: return 'p';
  case stage::FileType::socket: return 's';
  }
  return '?';
}

std::string mode_string(const Ext4Entry& entry)
{
  std::string text(1, type_letter(entry.type));
  const char* letters = "rwxrwxrwx";
  for (int bit = 0; bit < 9; ++bit)
    text += (entry.mode & (0400u >> bit)) ? letters[bit] : '-';
  if (entry.mode & 04000)
    text[3] = (entry.mode & 0100) ? 's' : 'S';
  if (entry.mode & 02000)
    text[6] = (entry.mode & 0010) ? 's' : 'S';
  if (entry.mode & 01000)
    text[9] = (entry.mode & 0001) ? 't' : 'T';
  return text;
}

// The superblock's geometry as e2fsck checks it before it reads a bitmap (check_super_block):
// libext2fs opens an image whose groups do not add up, and reading its bitmaps then runs
// past its own buffers (found by fuzz_inspect_ext4: a first data block of 14).
std::string geometry_problem(ext2_filsys fs)
{
  const ext2_super_block& super = *fs->super;
  const std::uint64_t bits_per_block = 8ULL * fs->blocksize;
  const std::uint32_t first_data_block =
      fs->blocksize == 1024 && EXT2FS_CLUSTER_RATIO(fs) == 1 ? 1 : 0;
  if (super.s_first_data_block != first_data_block)
    return "first data block " + std::to_string(super.s_first_data_block) + ", expected " +
           std::to_string(first_data_block);
  if (super.s_blocks_per_group == 0 || super.s_clusters_per_group == 0 ||
      super.s_clusters_per_group > bits_per_block ||
      super.s_blocks_per_group != super.s_clusters_per_group * EXT2FS_CLUSTER_RATIO(fs))
    return "blocks per group " + std::to_string(super.s_blocks_per_group) +
           " do not fit a block bitmap";
  if (super.s_inodes_per_group == 0 || super.s_inodes_per_group > bits_per_block)
    return "inodes per group " + std::to_string(super.s_inodes_per_group) +
           " do not fit an inode bitmap";
  if (std::uint64_t{super.s_inodes_per_group} * fs->group_desc_count != super.s_inodes_count)
    return "inode count " + std::to_string(super.s_inodes_count) + " is not " +
           std::to_string(fs->group_desc_count) + " groups of " +
           std::to_string(super.s_inodes_per_group);
  return "";
}

} // namespace

Ext4Report inspect_ext4(const std::filesystem::path& image)
{
  ext2_filsys raw = nullptr;
  check(ext2fs_open2(image.c_str(), nullptr, EXT2_FLAG_64BITS, 0, 0, unix_io_manager, &raw),
        "cannot open the ext4 image", image.string());
  const ext4::Ext2Fs fs(raw);
  const ext2_super_block& super = *raw->super;
  // A superblock that claims more blocks than the file holds is damaged (e2fsck: "The
  // filesystem size (according to the superblock) is … blocks"); its bitmaps would be sized
  // by the claim, so stop here.
  std::error_code size_error;
  const std::uintmax_t file_size = std::filesystem::file_size(image, size_error);
  const std::uint64_t claimed = ext2fs_blocks_count(raw->super);
  if (size_error || claimed > file_size / raw->blocksize)
    throw Error("the superblock says " + std::to_string(claimed) + " blocks of " +
                    std::to_string(raw->blocksize) + " bytes, the image holds " +
                    std::to_string(file_size / raw->blocksize),
                image.string(), "the image is truncated or damaged; rebuild it or fetch it again");
  if (const std::string problem = geometry_problem(raw); !problem.empty())
    throw Error("damaged superblock: " + problem, image.string(),
                "the image is damaged; rebuild it or fetch it again");
  Ext4Report report;
  const auto* label = reinterpret_cast<const char*>(super.s_volume_name);
  report.label.assign(label, strnlen(label, sizeof super.s_volume_name));
  report.uuid = format_uuid(super.s_uuid);
  report.features = ext4::feature_names(
      ext4::FeatureSet{super.s_feature_compat, super.s_feature_incompat, super.s_feature_ro_compat});
  report.blocks = ext2fs_blocks_count(raw->super);
  report.free_blocks = ext2fs_free_blocks_count(raw->super);
  report.inodes = super.s_inodes_count;
  report.free_inodes = super.s_free_inodes_count;
  check_metadata(raw, report);
  Reader reader(raw, report);
  reader.add("", EXT2_ROOT_INO);
  reader.list(EXT2_ROOT_INO, "");
  return report;
}

std::string format_report(const Ext4Report& report)
{
  std::string text;
  text += "label " + quote(report.label) + ", uuid " + report.uuid + "\n";
  text += "features";
  for (const std::string& feature : report.features)
    text += " " + feature;
  text += "\nblocks " + std::to_string(report.blocks - report.free_blocks) + " of " +
          std::to_string(report.blocks) + " used, inodes " +
          std::to_string(report.inodes - report.free_inodes) + " of " +
          std::to_string(report.inodes) + " used\n";
  for (const Ext4Entry& entry : report.entries) {
    text += mode_string(entry) + " " + std::to_string(entry.uid) + ":" +
            std::to_string(entry.gid) + " " + std::to_string(entry.size) + " /" + entry.path;
    if (entry.type == stage::FileType::symlink)
      text += " -> " + entry.target;
    if (!entry.sha256.empty())
      text += " sha256:" + entry.sha256;
    if (entry.type == stage::FileType::char_device || entry.type == stage::FileType::block_device)
      text += " device " + std::to_string(entry.rdev_major) + ":" + std::to_string(entry.rdev_minor);
    if (entry.links > 1 && entry.type != stage::FileType::directory)
      text += " links " + std::to_string(entry.links);
    for (const auto& [name, value] : entry.xattrs)
      text += " xattr " + name + "=" + to_hex(value);
    text += "\n";
  }
  for (const std::string& problem : report.problems)
    text += "problem: " + problem + "\n";
  return text;
}

} // namespace compose::emit
