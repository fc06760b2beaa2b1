// Content-defined block ends; see block_cutter.hpp.
#include "emit/oci/block_cutter.hpp"

#include <array>

namespace compose::emit::oci {

namespace {

// splitmix64 from a fixed seed: 256 well-mixed words, the same everywhere.
constexpr std::array<std::uint64_t, 256> make_gear()
{
  std::array<std::uint64_t, 256> table{};
  std::uint64_t state = 0x636f6d706f736531; // "compose1"
  for (std::uint64_t& word : table) {
    state += 0x9e3779b97f4a7c15;
    std::uint64_t mixed = state;
    mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9;
    mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111eb;
    word = mixed ^ (mixed >> 31);
  }
  return table;
}

constexpr std::array<std::uint64_t, 256> k_gear = make_gear();
constexpr std::size_t k_window = 64; // bits of the hash, so bytes it remembers
constexpr std::uint64_t k_mask = ~std::uint64_t{0} << (64 - BlockCutter::k_mask_bits);

} // namespace

BlockCutter::Cut BlockCutter::scan(std::size_t block_size, std::string_view bytes)
{
  if (block_size == 0)
    m_hash = 0;
  const std::size_t room = k_max_block - block_size; // > 0: a full block was cut before
  const std::size_t limit = bytes.size() < room ? bytes.size() : room;
  // Bytes before the hash's window at k_min_block cannot end the block or reach its hash.
  const std::size_t warm = k_min_block - k_window;
  std::size_t at = block_size >= warm ? 0 : warm - block_size;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  std::uint64_t hash = m_hash;
  for (; at < limit; ++at) {
    hash = (hash << 1) + k_gear[data[at]];
    if ((hash & k_mask) == 0 && block_size + at + 1 >= k_min_block) {
      m_hash = hash;
      return {at + 1, true};
    }
  }
  m_hash = hash;
  return {limit, block_size + limit == k_max_block};
}

} // namespace compose::emit::oci
