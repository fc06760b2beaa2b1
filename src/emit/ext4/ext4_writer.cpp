// write_ext4: make an empty ext4 file system in a temporary file the way mke2fs does
// (pinning everything mke2fs would take from the clock, the random generator or the build
// host), fill it from the tree, close it and rename it into place. See ext4_writer.hpp.
#include "emit/ext4/ext4_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "emit/ext4/ext2fs_call.hpp"
#include "emit/ext4/ext4_geometry.hpp"
#include "emit/ext4/ext4_populate.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace compose::emit {
namespace {

namespace fs = std::filesystem;
using ext4::check;

// UUID and directory hash seed: 16 bytes each from SHA-256 of the build's input digest,
// so they differ between builds of different inputs and repeat for the same inputs.
struct Identity {
  std::array<unsigned char, 16> uuid{}, hash_seed{};
};

Identity derive_identity(const std::string& seed)
{
  using namespace std::string_literals;
  Identity identity;
  const std::string uuid = digest(DigestAlgorithm::sha256, "compose ext4 uuid\0"s + seed);
  const std::string hash = digest(DigestAlgorithm::sha256, "compose ext4 hash seed\0"s + seed);
  std::memcpy(identity.uuid.data(), uuid.data(), identity.uuid.size());
  std::memcpy(identity.hash_seed.data(), hash.data(), identity.hash_seed.size());
  // Mark the UUID as RFC 4122 variant, version 4 (random-looking): tools display it as such.
  identity.uuid[6] = static_cast<unsigned char>((identity.uuid[6] & 0x0f) | 0x40);
  identity.uuid[8] = static_cast<unsigned char>((identity.uuid[8] & 0x3f) | 0x80);
  return identity;
}

// An ext4 file system under construction in "<destination>.tmp-…". The destructor of an
// uncommitted image frees the handle without writing metadata, then removes the file.
class Ext4Image {
public:
  Ext4Image(const fs::path& destination, const ext4::Geometry& geometry,
            const ext4::FeatureSet& features, const Identity& identity, std::int64_t epoch,
            const std::string& label);

  ext2_filsys fs() const { return m_fs.get(); }
  ext2_ino_t lost_and_found() const { return m_lost_and_found; }
  Ext4Result commit();

private:
  void initialise(const ext4::Geometry& geometry, const ext4::FeatureSet& features,
                  const Identity& identity, std::int64_t epoch, const std::string& label);
  void make_root_and_lost_found();
  void reserve_inodes(const ext4::FeatureSet& features);
  void add_journal(const ext4::Geometry& geometry);
  std::string where() const { return m_file.destination().string(); }

  AtomicFile m_file; // declared first: destroyed after the handle that writes into it
  ext4::Ext2Fs m_fs;
  ext2_ino_t m_lost_and_found = 0;
};

Ext4Image::Ext4Image(const fs::path& destination, const ext4::Geometry& geometry,
                     const ext4::FeatureSet& features, const Identity& identity,
                     std::int64_t epoch, const std::string& label)
    : m_file(destination)
{
  // A sparse file of the final size: libext2fs writes only the blocks in use.
  const auto size = static_cast<off_t>(geometry.blocks * ext4::k_block_size);
  if (::ftruncate(m_file.fd(), size) != 0)
    throw Error(std::string("cannot size the image: ") + std::strerror(errno),
                m_file.temp_path().string());
  m_file.close();
  initialise(geometry, features, identity, epoch, label);
  make_root_and_lost_found();
  reserve_inodes(features);
  if (features.has("has_journal"))
    add_journal(geometry);
}

void Ext4Image::initialise(const ext4::Geometry& geometry, const ext4::FeatureSet& features,
                           const Identity& identity, std::int64_t epoch,
                           const std::string& label)
{
  ext2_super_block param{};
  ext2fs_blocks_count_set(&param, geometry.blocks);
  param.s_log_block_size = 2; // 1024 << 2 = 4096
  param.s_rev_level = EXT2_DYNAMIC_REV;
  param.s_inode_size = ext4::k_inode_size;
  param.s_inodes_count = geometry.inodes;
  param.s_min_extra_isize = param.s_want_extra_isize =
      sizeof(ext2_inode_large) - EXT2_GOOD_OLD_INODE_SIZE;
  if (features.has("flex_bg"))
    param.s_log_groups_per_flex = 4;
  param.s_feature_compat = features.compat & ~EXT3_FEATURE_COMPAT_HAS_JOURNAL; // added below
  param.s_feature_incompat = features.incompat;
  param.s_feature_ro_compat = features.ro_compat;

  ext2_filsys raw = nullptr;
  const std::string temp = m_file.temp_path().string();
  check(ext2fs_initialize(temp.c_str(), EXT2_FLAG_64BITS, &param, unix_io_manager, &raw),
        "cannot create the file system", where());
  m_fs.reset(raw);

  ext2_super_block* super = raw->super;
  // Every time libext2fs writes (inodes, superblock) comes from fs->now from here on;
  // ext2fs_initialize already took the clock for these two.
  raw->now = static_cast<time_t>(epoch);
  super->s_mkfs_time = super->s_lastcheck = static_cast<std::uint32_t>(epoch);
  super->s_max_mnt_count = -1;
  super->s_checkinterval = 0;
  super->s_r_blocks_count = 0; // headroom is the recipe's choice; none is kept back for root
  std::memcpy(super->s_uuid, identity.uuid.data(), identity.uuid.size());
  if (features.has("metadata_csum"))
    super->s_checksum_type = EXT2_CRC32C_CHKSUM;
  if (features.has("metadata_csum_seed"))
    super->s_checksum_seed = ext2fs_crc32c_le(~0u, super->s_uuid, sizeof super->s_uuid);
  ext2fs_init_csum_seed(raw);
  std::memcpy(super->s_hash_seed, identity.hash_seed.data(), identity.hash_seed.size());
  super->s_def_hash_version = EXT2_HASH_HALF_MD4;
  // ext2fs_initialize picks the dirhash flag from the build host's char signedness; the
  // image must not depend on the host, so say "signed" (what x86 hosts write) always.
  super->s_flags &= ~(EXT2_FLAGS_SIGNED_HASH | EXT2_FLAGS_UNSIGNED_HASH);
  super->s_flags |= EXT2_FLAGS_SIGNED_HASH;
  std::memset(super->s_volume_name, 0, sizeof super->s_volume_name);
  std::memcpy(super->s_volume_name, label.data(), label.size());
  ext2fs_mark_super_dirty(raw);

  check(ext2fs_allocate_tables(raw), "cannot place the group tables", where());
  check(ext2fs_convert_subcluster_bitmap(raw, &raw->block_map), "cannot set up the bitmaps",
        where());
  // The file is fresh and sparse, so the inode tables already read as zeros.
  for (dgrp_t group = 0; group < raw->group_desc_count; ++group) {
    ext2fs_bg_flags_set(raw, group, EXT2_BG_INODE_ZEROED);
    ext2fs_group_desc_csum_set(raw, group);
  }
  // With checksums, the reserved inodes must carry valid ones even while unused.
  if (features.has("metadata_csum")) {
    std::array<char, ext4::k_inode_size> zero{};
    for (ext2_ino_t ino = 1; ino < EXT2_FIRST_INO(super); ++ino)
      check(ext2fs_write_inode_full(raw, ino, reinterpret_cast<ext2_inode*>(zero.data()),
                                    ext4::k_inode_size),
            "cannot write reserved inode " + std::to_string(ino), where());
  }
}

void Ext4Image::make_root_and_lost_found()
{
  ext2_filsys raw = m_fs.get();
  check(ext2fs_mkdir(raw, EXT2_ROOT_INO, EXT2_ROOT_INO, nullptr), "cannot make the root directory",
        where());
  // lost+found like mke2fs makes it: mode 0700, 16 KiB so e2fsck need not allocate.
  raw->umask = 077;
  check(ext2fs_mkdir(raw, EXT2_ROOT_INO, 0, "lost+found"), "cannot make lost+found", where());
  raw->umask = 022;
  check(ext2fs_lookup(raw, EXT2_ROOT_INO, "lost+found", 10, nullptr, &m_lost_and_found),
        "cannot find lost+found", where());
  for (;;) {
    ext2_inode inode{};
    check(ext2fs_read_inode(raw, m_lost_and_found, &inode), "cannot read lost+found", where());
    if (EXT2_I_SIZE(&inode) >= 16 * 1024)
      break;
    check(ext2fs_expand_dir(raw, m_lost_and_found), "cannot grow lost+found", where());
  }
}

void Ext4Image::reserve_inodes(const ext4::FeatureSet& features)
{
  ext2_filsys raw = m_fs.get();
  for (ext2_ino_t ino = EXT2_ROOT_INO + 1; ino < EXT2_FIRST_INODE(raw->super); ++ino)
    ext2fs_inode_alloc_stats2(raw, ino, +1, 0);
  ext2fs_mark_ib_dirty(raw);
  // The bad-blocks inode exists, empty, in every ext2/3/4 file system.
  ext2fs_mark_inode_bitmap2(raw->inode_map, EXT2_BAD_INO);
  ext2fs_inode_alloc_stats2(raw, EXT2_BAD_INO, +1, 0);
  check(ext2fs_update_bb_inode(raw, nullptr), "cannot write the bad-blocks inode", where());
  if (features.has("resize_inode"))
    check(ext2fs_create_resize_inode(raw), "cannot make the resize inode", where());
}

void Ext4Image::add_journal(const ext4::Geometry& geometry)
{
  ext2fs_journal_params params{};
  params.num_journal_blocks = geometry.journal_blocks;
  // The journal superblock takes the file system UUID and fs->now; the rest of the journal
  // is left unwritten (the file reads as zeros there), which jbd2 accepts as empty.
  check(ext2fs_add_journal_inode3(m_fs.get(), &params, ~0ULL,
                                  EXT2_MKJOURNAL_LAZYINIT | EXT2_MKJOURNAL_NO_MNT_CHECK),
        "cannot make the journal", where());
}

Ext4Result Ext4Image::commit()
{
  ext2_filsys raw = m_fs.get();
  for (dgrp_t group = 0; group < raw->group_desc_count; ++group)
    ext2fs_group_desc_csum_set(raw, group);
  Ext4Result result;
  const blk64_t blocks = ext2fs_blocks_count(raw->super);
  result.blocks = blocks - ext2fs_free_blocks_count(raw->super);
  result.inodes = raw->super->s_inodes_count - raw->super->s_free_inodes_count;
  result.size_bytes = blocks * ext4::k_block_size;

  raw = m_fs.release();
  check(ext2fs_close_free(&raw), "cannot finish the file system", where());
  // libext2fs may have dropped a last group too small to be useful: the file ends where
  // the file system does.
  const std::string temp = m_file.temp_path().string();
  const int fd = ::open(temp.c_str(), O_RDWR | O_CLOEXEC);
  const bool synced = fd >= 0 && ::ftruncate(fd, static_cast<off_t>(result.size_bytes)) == 0 &&
                      ::fsync(fd) == 0;
  const int saved = errno;
  if (fd >= 0)
    ::close(fd);
  if (!synced)
    throw Error(std::string("cannot finish the image: ") + std::strerror(saved), temp);
  result.sha256 = sha256_file_hex(temp);
  m_file.commit();
  return result;
}

} // namespace

Ext4Result write_ext4(const stage::Tree& tree, const Ext4Options& options,
                      const fs::path& destination)
{
  const recipe::Ext4Spec& spec = options.spec;
  const std::string where = spec.where.file.empty() ? destination.string() : spec.where.str();
  if (spec.label.size() > 16)
    throw Error("ext4 label " + quote(spec.label) + " is longer than 16 bytes", where);
  // libext2fs treats a time of 0 as "now", and its superblock times are 32-bit.
  if (options.epoch < 1 || options.epoch > 0xffffffffll)
    throw Error("build time " + std::to_string(options.epoch) +
                    " is outside what the ext4 writer stores (1 to 4294967295)",
                destination.string(), "set SOURCE_DATE_EPOCH to a time after 1970-01-01");
  const ext4::FeatureSet features = ext4::resolve_features(spec.features, where);
  const ext4::ContentNeeds needs = ext4::measure_content(tree, features);
  const ext4::Geometry geometry = ext4::plan_geometry(needs, spec, features);

  Ext4Image image(destination, geometry, features, derive_identity(options.seed), options.epoch,
                  spec.label);
  ext4::TreeWriter writer(image.fs(), options.epoch, image.lost_and_found(), needs.runs);
  tree.walk([&](const stage::Tree::Visit& visit) { writer.add(visit); });
  writer.finish();
  return image.commit();
}

} // namespace compose::emit
