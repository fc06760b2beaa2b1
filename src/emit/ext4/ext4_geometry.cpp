// Feature names, content measurement and image sizing for the ext4 writer; see
// ext4_geometry.hpp. The arithmetic mirrors ext2fs_initialize: 32768 blocks per group,
// 64-byte group descriptors, backups in groups 0, 1 and powers of 3, 5 and 7.
#include "emit/ext4/ext4_geometry.hpp"

#include <ext2fs/ext2_fs.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include "util/error.hpp"

namespace compose::emit::ext4 {
namespace {

enum class FeatureKind { compat, incompat, ro_compat };

struct FeatureName {
  const char* name;
  FeatureKind kind;
  std::uint32_t mask;
  bool on_by_default;
};

// The features the writer knows how to produce. Defaults follow Debian 12's mke2fs.conf
// for ext4 (no orphan_file or metadata_csum_seed, which older guest kernels lack).
constexpr std::array k_features{
    FeatureName{"64bit", FeatureKind::incompat, EXT4_FEATURE_INCOMPAT_64BIT, true},
    FeatureName{"dir_index", FeatureKind::compat, EXT2_FEATURE_COMPAT_DIR_INDEX, true},
    FeatureName{"dir_nlink", FeatureKind::ro_compat, EXT4_FEATURE_RO_COMPAT_DIR_NLINK, true},
    FeatureName{"ext_attr", FeatureKind::compat, EXT2_FEATURE_COMPAT_EXT_ATTR, true},
    FeatureName{"extent", FeatureKind::incompat, EXT3_FEATURE_INCOMPAT_EXTENTS, true},
    FeatureName{"extra_isize", FeatureKind::ro_compat, EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE,
                true},
    FeatureName{"filetype", FeatureKind::incompat, EXT2_FEATURE_INCOMPAT_FILETYPE, true},
    FeatureName{"flex_bg", FeatureKind::incompat, EXT4_FEATURE_INCOMPAT_FLEX_BG, true},
    FeatureName{"has_journal", FeatureKind::compat, EXT3_FEATURE_COMPAT_HAS_JOURNAL, true},
    FeatureName{"huge_file", FeatureKind::ro_compat, EXT4_FEATURE_RO_COMPAT_HUGE_FILE, true},
    FeatureName{"large_file", FeatureKind::ro_compat, EXT2_FEATURE_RO_COMPAT_LARGE_FILE, true},
    FeatureName{"metadata_csum", FeatureKind::ro_compat, EXT4_FEATURE_RO_COMPAT_METADATA_CSUM,
                true},
    FeatureName{"metadata_csum_seed", FeatureKind::incompat, EXT4_FEATURE_INCOMPAT_CSUM_SEED,
                false},
    FeatureName{"resize_inode", FeatureKind::compat, EXT2_FEATURE_COMPAT_RESIZE_INODE, true},
    FeatureName{"sparse_super", FeatureKind::ro_compat, EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER,
                true},
};

const FeatureName* find_feature(std::string_view name)
{
  if (name == "extents") // mke2fs accepts both spellings
    name = "extent";
  for (const FeatureName& feature : k_features)
    if (name == feature.name)
      return &feature;
  return nullptr;
}

std::uint32_t& slot(FeatureSet& set, FeatureKind kind)
{
  switch (kind) {
  case FeatureKind::compat: return set.compat;
  case FeatureKind::incompat: return set.incompat;
  case FeatureKind::ro_compat: break;
  }
  return set.ro_compat;
}

std::uint64_t divide_up(std::uint64_t value, std::uint64_t by) { return (value + by - 1) / by; }

constexpr std::uint64_t k_blocks_per_group = 8 * k_block_size;
constexpr std::uint64_t k_descriptors_per_block = k_block_size / 64;
constexpr std::uint64_t k_max_extent_length = 32768; // initialised extents
constexpr std::uint64_t k_extents_per_block = (k_block_size - 12) / 12;
constexpr std::uint64_t k_mib = 1ull << 20;

// Blocks for the extent tree beyond the four extents that fit in the inode.
std::uint64_t extent_tree_blocks(std::uint64_t extents)
{
  if (extents <= 4)
    return 0;
  std::uint64_t blocks = 0;
  for (std::uint64_t level = divide_up(extents, k_extents_per_block); level > 4;
       level = divide_up(level, k_extents_per_block))
    blocks += level;
  return blocks + divide_up(extents, k_extents_per_block);
}

// Directory entries are 8 bytes plus the name, padded to 4; with metadata_csum each block
// ends in a 12-byte checksum entry. Entries never span blocks, so fill block by block.
std::uint64_t directory_blocks(const stage::Inode& directory, bool checksums)
{
  const std::uint64_t usable = k_block_size - (checksums ? 12 : 0);
  std::uint64_t blocks = 1, used = 12 + 12; // "." and ".."
  for (const auto& [name, child] : directory.children) {
    const std::uint64_t length = (8 + name.size() + 3) & ~std::uint64_t{3};
    if (used + length > usable) {
      ++blocks;
      used = 0;
    }
    used += length;
  }
  // Blocks added one at a time by ext2fs_expand_dir need not be contiguous.
  return blocks + (blocks > 4 ? extent_tree_blocks(blocks) : 0);
}

// Bytes an attribute takes in an xattr block: a 16-byte entry with the name (its prefix
// replaced by an index) and the value, each padded to 4.
std::uint64_t xattr_entry_bytes(const std::string& name, const std::string& value)
{
  static constexpr std::array<const char*, 4> prefixes{"user.", "trusted.", "security.",
                                                       "system."};
  std::size_t stripped = name.size();
  for (const char* prefix : prefixes)
    if (name.starts_with(prefix))
      stripped = name.size() - std::strlen(prefix);
  return 16 + ((stripped + 3) & ~std::size_t{3}) + ((value.size() + 3) & ~std::size_t{3});
}

bool known_xattr_namespace(const std::string& name)
{
  return name.starts_with("user.") || name.starts_with("trusted.") ||
         name.starts_with("security.") || name == "system.posix_acl_access" ||
         name == "system.posix_acl_default";
}

std::string entry_place(const std::string& path) { return quote("/" + path); }

void check_entry(const stage::Tree::Visit& visit)
{
  const std::string leaf = visit.path.substr(visit.path.rfind('/') + 1);
  if (leaf.size() > EXT2_NAME_LEN)
    throw Error("name is " + std::to_string(leaf.size()) +
                    " bytes long; ext4 names hold at most 255 bytes",
                entry_place(visit.path));
  if (!visit.first_name)
    return;
  const stage::Inode& inode = visit.inode;
  if (visit.link_count > 65000 && inode.type != stage::FileType::directory)
    throw Error("file has " + std::to_string(visit.link_count) +
                    " hard links; ext4 allows at most 65000",
                entry_place(visit.path));
  if (inode.type == stage::FileType::regular &&
      inode.content.size() > (16ull << 40) - k_block_size)
    throw Error("file is " + format_size(inode.content.size()) +
                    "; ext4 files with 4 KiB blocks hold less than 16T",
                entry_place(visit.path));
  if (inode.type == stage::FileType::symlink &&
      (inode.target.empty() || inode.target.size() >= k_block_size))
    throw Error("symlink target is " + std::to_string(inode.target.size()) +
                    " bytes; ext4 symlinks hold 1 to 4095 bytes",
                entry_place(visit.path));
  if ((inode.type == stage::FileType::char_device ||
       inode.type == stage::FileType::block_device) &&
      (inode.rdev_major > 0xfff || inode.rdev_minor > 0xfffff))
    throw Error("device number " + std::to_string(inode.rdev_major) + ":" +
                    std::to_string(inode.rdev_minor) +
                    " does not fit ext4 (major up to 4095, minor up to 1048575)",
                entry_place(visit.path));
  std::uint64_t xattr_bytes = 32 + 4; // block header and the terminating entry
  for (const auto& [name, value] : inode.xattrs) {
    if (!known_xattr_namespace(name))
      throw Error("xattr " + quote(name) +
                      " is in no namespace ext4 stores (user., trusted., security., "
                      "system.posix_acl_*)",
                  entry_place(visit.path));
    xattr_bytes += xattr_entry_bytes(name, value);
  }
  if (xattr_bytes > k_block_size)
    throw Error("xattrs take " + std::to_string(xattr_bytes) +
                    " bytes; ext4 without ea_inode holds at most one 4096-byte block",
                entry_place(visit.path));
}

} // namespace

bool FeatureSet::has(std::string_view name) const
{
  const FeatureName* feature = find_feature(name);
  if (!feature)
    return false;
  FeatureSet copy = *this;
  return (slot(copy, feature->kind) & feature->mask) != 0;
}

std::string supported_features()
{
  std::string text;
  for (const FeatureName& feature : k_features)
    text += (text.empty() ? "" : ", ") + std::string(feature.name);
  return text;
}

std::vector<std::string> feature_names(const FeatureSet& set)
{
  std::vector<std::string> names;
  FeatureSet rest = set;
  for (const FeatureName& feature : k_features)
    if (slot(rest, feature.kind) & feature.mask) {
      names.emplace_back(feature.name);
      slot(rest, feature.kind) &= ~feature.mask;
    }
  const auto add_unknown = [&](const char* kind, std::uint32_t bits) {
    if (bits == 0)
      return;
    std::array<char, 16> hex{};
    std::snprintf(hex.data(), hex.size(), "%#x", bits);
    names.push_back(std::string(kind) + ":" + hex.data());
  };
  add_unknown("compat", rest.compat);
  add_unknown("incompat", rest.incompat);
  add_unknown("ro_compat", rest.ro_compat);
  return names;
}

FeatureSet resolve_features(const std::vector<std::string>& names, const std::string& where)
{
  FeatureSet set;
  for (const FeatureName& feature : k_features)
    if (feature.on_by_default)
      slot(set, feature.kind) |= feature.mask;
  for (const std::string& text : names) {
    const bool off = text.starts_with("^");
    const FeatureName* feature = find_feature(off ? text.substr(1) : text);
    if (!feature)
      throw Error("unknown ext4 feature " + quote(text), where,
                  "supported features: " + supported_features() + " (\"^name\" turns one off)");
    if (off)
      slot(set, feature->kind) &= ~feature->mask;
    else
      slot(set, feature->kind) |= feature->mask;
  }
  if (set.has("64bit") && !set.has("extent"))
    throw Error("ext4 feature 64bit needs extent", where,
                "turn both off (\"^64bit\", \"^extent\") or leave extent on");
  return set;
}

namespace {
// Adds the non-zero blocks of `piece`, whose first byte is block `first_block`'s first.
void add_data_runs(std::string_view piece, std::uint64_t first_block, std::vector<DataRun>& runs)
{
  static const std::array<char, k_block_size> zeros{};
  const std::uint64_t blocks = divide_up(piece.size(), k_block_size);
  for (std::uint64_t index = 0; index < blocks; ++index) {
    const std::size_t offset = index * k_block_size;
    const std::size_t length = std::min<std::size_t>(k_block_size, piece.size() - offset);
    if (std::memcmp(piece.data() + offset, zeros.data(), length) == 0)
      continue;
    const std::uint64_t block = first_block + index;
    if (!runs.empty() && runs.back().first + runs.back().count == block)
      ++runs.back().count;
    else
      runs.push_back({block, 1});
  }
}
} // namespace

std::vector<DataRun> data_runs(std::string_view content)
{
  std::vector<DataRun> runs;
  add_data_runs(content, 0, runs);
  return runs;
}

std::vector<DataRun> data_runs(const stage::Content& content)
{
  static_assert(stage::Content::k_chunk % k_block_size == 0, "pieces hold whole blocks");
  std::vector<DataRun> runs;
  std::uint64_t offset = 0;
  content.stream([&](std::string_view piece) {
    add_data_runs(piece, offset / k_block_size, runs);
    offset += piece.size();
  });
  return runs;
}

ContentNeeds measure_content(const stage::Tree& tree, const FeatureSet& features)
{
  const bool checksums = features.has("metadata_csum");
  const bool extents = features.has("extent");
  // Reserved inodes 1..10, then lost+found (11) with its 16 KiB; the root is inode 2.
  ContentNeeds needs;
  needs.blocks = 4;
  needs.inodes = EXT2_GOOD_OLD_FIRST_INO;
  tree.walk([&](const stage::Tree::Visit& visit) {
    if (!visit.path.empty())
      check_entry(visit);
    if (!visit.first_name)
      return;
    const stage::Inode& inode = visit.inode;
    if (!visit.path.empty())
      ++needs.inodes;
    switch (inode.type) {
    case stage::FileType::directory: needs.blocks += directory_blocks(inode, checksums); break;
    case stage::FileType::regular: {
      const std::vector<DataRun>& runs =
          needs.runs.try_emplace(&inode, data_runs(inode.content)).first->second;
      std::uint64_t blocks = 0, pieces = 0;
      for (const DataRun& run : runs) {
        blocks += run.count;
        pieces += divide_up(run.count, k_max_extent_length);
      }
      // Allocation may split a run where group metadata sits: allow one split per group.
      pieces += blocks / k_blocks_per_group;
      needs.blocks += blocks + (extents ? extent_tree_blocks(pieces)
                                        : divide_up(blocks, k_block_size / 4) + 2);
      break;
    }
    case stage::FileType::symlink: needs.blocks += inode.target.size() >= 60 ? 1 : 0; break;
    default: break;
    }
    // Attributes beyond what fits after the inode's 32 extra bytes go to one block.
    std::uint64_t in_inode = 4 + 4;
    for (const auto& [name, value] : inode.xattrs)
      in_inode += xattr_entry_bytes(name, value);
    if (!inode.xattrs.empty() && in_inode > k_inode_size - 128 - 32)
      ++needs.blocks;
  });
  return needs;
}

namespace {

bool is_power_of(std::uint64_t value, std::uint64_t base)
{
  while (value > 1 && value % base == 0)
    value /= base;
  return value == 1;
}

bool group_has_backup(std::uint64_t group, const FeatureSet& features)
{
  if (!features.has("sparse_super") || group <= 1)
    return true;
  return is_power_of(group, 3) || is_power_of(group, 5) || is_power_of(group, 7);
}

// ext2fs_default_journal_size: 4 MiB up to 128 MiB, growing to 1 GiB for large disks.
std::uint32_t journal_blocks(std::uint64_t blocks)
{
  if (blocks < 32768)
    return 1024;
  if (blocks < 256 * 1024)
    return 4096;
  if (blocks < 512 * 1024)
    return 8192;
  if (blocks < 4096 * 1024)
    return 16384;
  if (blocks < 8192 * 1024)
    return 32768;
  if (blocks < 16384 * 1024)
    return 65536;
  if (blocks < 32768 * 1024)
    return 131072;
  return 262144;
}

struct Overhead {
  std::uint64_t total = 0, last_group = 0;
};

// Blocks the file system's own structures take in a file system of `blocks` blocks.
Overhead overhead(std::uint64_t blocks, std::uint64_t inodes, const FeatureSet& features)
{
  const std::uint64_t groups = divide_up(blocks, k_blocks_per_group);
  const std::uint64_t inodes_per_block = k_block_size / k_inode_size;
  std::uint64_t per_group = divide_up(inodes, groups);
  per_group = divide_up(per_group, std::max<std::uint64_t>(inodes_per_block, 8)) *
              std::max<std::uint64_t>(inodes_per_block, 8);
  const std::uint64_t table_blocks = per_group / inodes_per_block;
  const std::uint64_t descriptor_blocks = divide_up(groups, k_descriptors_per_block);
  std::uint64_t reserved_gdt = 0;
  if (features.has("resize_inode")) {
    const std::uint64_t growth = std::min<std::uint64_t>(blocks * 1024, 0xffffffffull);
    const std::uint64_t future = divide_up(divide_up(growth, k_blocks_per_group),
                                           k_descriptors_per_block);
    reserved_gdt = std::min<std::uint64_t>(
        future > descriptor_blocks ? future - descriptor_blocks : 0, k_block_size / 4);
  }
  Overhead result;
  for (std::uint64_t group = 0; group < groups; ++group) {
    std::uint64_t used = 2 + table_blocks;
    if (group_has_backup(group, features))
      used += 1 + descriptor_blocks + reserved_gdt;
    result.total += used;
    result.last_group = used;
  }
  if (features.has("resize_inode"))
    result.total += 1; // its double-indirect block
  if (features.has("has_journal"))
    result.total += journal_blocks(blocks);
  return result;
}

std::uint64_t round_up(std::uint64_t value, std::uint64_t to) { return divide_up(value, to) * to; }

// Grows `blocks` until the content and the overhead fit, and until libext2fs would keep
// the last group (it drops a last group smaller than its overhead plus 50 blocks).
std::uint64_t fit(std::uint64_t blocks, const ContentNeeds& needs, std::uint64_t inodes,
                  const FeatureSet& features, std::uint64_t granule)
{
  for (int round = 0; round < 64; ++round) {
    const Overhead over = overhead(blocks, inodes, features);
    std::uint64_t wanted = std::max(blocks, needs.blocks + over.total);
    const std::uint64_t rest = wanted % k_blocks_per_group;
    if (rest != 0 && rest < over.last_group + 50)
      wanted += over.last_group + 50 - rest;
    wanted = round_up(wanted, granule);
    if (wanted == blocks)
      return blocks;
    blocks = wanted;
  }
  return blocks;
}

// Whether a fixed size holds the content; libext2fs may drop a small last group.
bool fits(std::uint64_t blocks, const ContentNeeds& needs, std::uint64_t inodes,
          const FeatureSet& features)
{
  if (blocks < 2048)
    return false;
  Overhead over = overhead(blocks, inodes, features);
  const std::uint64_t rest = blocks % k_blocks_per_group;
  if (rest != 0 && rest < over.last_group + 50 && blocks > k_blocks_per_group) {
    blocks -= rest;
    over = overhead(blocks, inodes, features);
  }
  return needs.blocks + over.total <= blocks;
}

} // namespace

Geometry minimum_geometry(const ContentNeeds& needs, std::uint64_t inodes,
                          const FeatureSet& features)
{
  // A journal needs 1024 blocks and libext2fs 2048 blocks in all (8 MiB).
  std::uint64_t blocks = std::max<std::uint64_t>(needs.blocks, 2048);
  blocks = fit(blocks, needs, inodes, features, 1);
  return Geometry{blocks, static_cast<std::uint32_t>(inodes),
                  features.has("has_journal") ? journal_blocks(blocks) : 0};
}

Geometry plan_geometry(const ContentNeeds& needs, const recipe::Ext4Spec& spec,
                       const FeatureSet& features)
{
  const std::uint64_t headroom_inodes =
      needs.inodes * spec.headroom_percent / 100 + spec.headroom_bytes / 16384;
  const std::uint64_t granule = k_mib / k_block_size;
  const bool journal = features.has("has_journal");
  if (spec.size_bytes) {
    const std::uint64_t blocks = *spec.size_bytes / k_block_size;
    // Like mke2fs: one inode per 16 KiB, unless that leaves too little room; never fewer
    // than the tree needs plus a tenth.
    const std::uint64_t fewest = needs.inodes + needs.inodes / 10 + 16;
    for (const std::uint64_t inodes :
         {std::max(fewest, blocks / (16384 / k_block_size)), fewest}) {
      if (inodes <= 0xffffffffull && fits(blocks, needs, inodes, features))
        return Geometry{blocks, static_cast<std::uint32_t>(inodes),
                        journal ? journal_blocks(blocks) : 0};
    }
    const Geometry least = minimum_geometry(needs, fewest, features);
    throw Error("image size " + format_size(*spec.size_bytes) + " is too small for " +
                    format_size(round_up(needs.blocks * k_block_size, k_mib)) +
                    " of content (need at least " +
                    format_size(round_up(least.blocks * k_block_size, k_mib)) + ")",
                spec.where.str(),
                "raise outputs.ext4.size, or leave it out to size the image from its content");
  }
  const std::uint64_t inodes = needs.inodes + headroom_inodes + 16;
  const Geometry least = minimum_geometry(needs, inodes, features);
  const std::uint64_t content_bytes = needs.blocks * k_block_size;
  std::uint64_t blocks = least.blocks + divide_up(spec.headroom_bytes, k_block_size) +
                         divide_up(content_bytes * spec.headroom_percent / 100, k_block_size);
  blocks = fit(round_up(blocks, granule), needs, inodes, features, granule);
  return Geometry{blocks,
                  static_cast<std::uint32_t>(std::min<std::uint64_t>(inodes, 0xffffffffull)),
                  journal ? journal_blocks(blocks) : 0};
}

std::string format_size(std::uint64_t bytes)
{
  static constexpr std::array<const char*, 4> units{"K", "M", "G", "T"};
  std::string unit;
  for (const char* next : units) {
    if (bytes == 0 || bytes % 1024 != 0)
      break;
    bytes /= 1024;
    unit = next;
  }
  return std::to_string(bytes) + unit;
}

} // namespace compose::emit::ext4
