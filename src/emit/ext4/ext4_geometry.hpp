// How big the ext4 image must be and what it is made of: the feature set (recipe names on
// top of our defaults), what the tree needs in blocks and inodes (checking on the way that
// ext4 can hold every entry), and the block and inode counts that follow from both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "recipe/recipe.hpp"
#include "stage/tree.hpp"

namespace compose::emit::ext4 {

inline constexpr std::uint32_t k_block_size = 4096;
inline constexpr std::uint32_t k_inode_size = 256;

struct FeatureSet {
  std::uint32_t compat = 0, incompat = 0, ro_compat = 0;
  bool has(std::string_view name) const;
};

// Our defaults (fit Firecracker's and QEMU's guest kernels) changed by `names`: "x" turns a
// feature on, "^x" off. Throws Error at `where` for an unknown name, listing the known ones,
// and for combinations mke2fs refuses (64bit without extent).
FeatureSet resolve_features(const std::vector<std::string>& names, const std::string& where);
std::string supported_features(); // "64bit, dir_index, …" for messages
// The names of the features in `set`, sorted; bits we have no name for as "compat:0x…".
std::vector<std::string> feature_names(const FeatureSet& set);

// The file system block runs of a file that hold data: [first, first + count) in blocks;
// all-zero blocks are left out, so they become holes.
struct DataRun {
  std::uint64_t first = 0, count = 0;
};
std::vector<DataRun> data_runs(std::string_view content);
std::vector<DataRun> data_runs(const stage::Content& content); // streams references

// What the tree occupies, counted as an upper bound of what the writer allocates.
struct ContentNeeds {
  std::uint64_t blocks = 0; // data, directory, symlink, xattr and extent blocks
  std::uint64_t inodes = 0; // including the reserved inodes and lost+found
  // Each regular file's data runs, found while measuring: finding them reads the whole
  // file, and the writer needs them again.
  std::unordered_map<const stage::Inode*, std::vector<DataRun>> runs;
};
// Throws Error naming the path for entries ext4 cannot hold.
ContentNeeds measure_content(const stage::Tree& tree, const FeatureSet& features);

struct Geometry {
  std::uint64_t blocks = 0;         // file system size in blocks
  std::uint32_t inodes = 0;         // inodes asked for (libext2fs rounds up per group)
  std::uint32_t journal_blocks = 0; // 0 without has_journal
};

// The smallest geometry holding `needs` with `inodes` inodes.
Geometry minimum_geometry(const ContentNeeds& needs, std::uint64_t inodes,
                          const FeatureSet& features);
// The recipe's geometry: its fixed size, or the content plus headroom rounded up to MiB.
// Throws Error when a fixed size is too small ("image size 8M is too small for 57M of
// content (need at least 70M)").
Geometry plan_geometry(const ContentNeeds& needs, const recipe::Ext4Spec& spec,
                       const FeatureSet& features);

std::string format_size(std::uint64_t bytes); // "8M", "2G", "4097" (powers of 1024)

} // namespace compose::emit::ext4
