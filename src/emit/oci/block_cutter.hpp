// Where the gzip layer's blocks end: content-defined, so an edit early in the tree moves
// only the blocks it touches. Fixed 1 MiB blocks made every block after a 3 KB file added
// under /etc differ, and the block cache (gzip_block_cache.hpp) then served none of them.
//
// A gear hash (FastCDC: h = (h << 1) + gear[byte]) runs over the stream; a block ends after
// a byte where the hash's top k_mask_bits bits are all zero, never before k_min_block bytes
// and always at k_max_block. The hash covers only the last 64 bytes, and it starts 64 bytes
// before k_min_block, so a block's end depends only on the bytes near it: after an edit,
// the ends fall where they fell before as soon as the stream is the same again. The average
// block is k_min_block + 2^k_mask_bits (about 1 MiB). The gear table comes from a fixed seed:
// the cuts, and the layer's bytes, are the same on every host and thread count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace compose::emit::oci {

class BlockCutter {
public:
  static constexpr std::size_t k_min_block = 512 << 10;
  static constexpr std::size_t k_max_block = 4 << 20;
  static constexpr unsigned k_mask_bits = 19;

  struct Cut {
    std::size_t take = 0; // bytes of the piece that belong to the current block
    bool ends = false;    // the block ends with them; the next byte starts a new block
  };
  // With `block_size` (< k_max_block) bytes already in the current block, how much of
  // `bytes` belongs to it. Pieces may be split anywhere: the cuts are the same.
  Cut scan(std::size_t block_size, std::string_view bytes);

private:
  std::uint64_t m_hash = 0;
};

} // namespace compose::emit::oci
