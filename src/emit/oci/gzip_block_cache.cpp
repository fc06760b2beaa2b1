// Reused gzip members of layer blocks; see gzip_block_cache.hpp.
#include "emit/oci/gzip_block_cache.hpp"

#include <libdeflate.h>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::emit::oci {

using namespace std::string_view_literals;

namespace {

constexpr std::size_t k_digest = 32;
// A member of a block (4 MiB at most) is at most a little larger (stored blocks); anything
// far larger is not an entry of ours and is not read into memory.
constexpr std::uintmax_t k_largest_entry = 5 << 20;

std::uint32_t little_endian_32(std::string_view bytes)
{
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return value;
}

// The whole entry, or nothing when it is missing, unreadable or implausibly large.
std::optional<std::string> read_entry(const fs::path& path)
{
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec || size > k_largest_entry)
    return std::nullopt;
  try {
    return read_file(path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

} // namespace

bool gzip_member_describes(std::string_view member, std::string_view block)
{
  if (member.size() < 18 || static_cast<unsigned char>(member[0]) != 0x1f ||
      static_cast<unsigned char>(member[1]) != 0x8b || member[2] != 8)
    return false;
  const std::string_view trailer = member.substr(member.size() - 8);
  return little_endian_32(trailer) == libdeflate_crc32(0, block.data(), block.size()) &&
         little_endian_32(trailer.substr(4)) == static_cast<std::uint32_t>(block.size());
}

GzipBlockCache::GzipBlockCache(fs::path directory, std::string engine)
    : m_directory(std::move(directory)), m_engine(std::move(engine))
{
}

std::string GzipBlockCache::key(std::string_view block) const
{
  Hasher hasher(DigestAlgorithm::sha256);
  hasher.update("compose gzip member\0"sv);
  hasher.update(m_engine);
  hasher.update("\0"sv);
  hasher.update(block);
  return hasher.finish_hex();
}

fs::path GzipBlockCache::path_of(const std::string& key) const
{
  return m_directory / key.substr(0, 2) / key;
}

std::optional<std::string> GzipBlockCache::find(const std::string& key, std::string_view block)
{
  std::optional<std::string> entry = read_entry(path_of(key));
  if (!entry)
    return std::nullopt;
  if (entry->size() > k_digest) {
    const std::string_view member(entry->data(), entry->size() - k_digest);
    if (digest(DigestAlgorithm::sha256, member) == entry->substr(member.size()) &&
        gzip_member_describes(member, block)) {
      entry->resize(member.size());
      mark_used(path_of(key));
      ++m_reused;
      return entry;
    }
  }
  ++m_damaged;
  return std::nullopt;
}

void GzipBlockCache::store(const std::string& key, std::string_view member)
{
  try {
    AtomicFile file(path_of(key), AtomicFile::Sync::scratch); // checked on every read
    file.write(member);
    file.write(digest(DigestAlgorithm::sha256, member));
    file.commit();
    ++m_stored;
  } catch (const Error&) {
  }
}

GzipBlockCache::Counts GzipBlockCache::counts() const
{
  return Counts{m_reused.load(), m_stored.load(), m_damaged.load()};
}

} // namespace compose::emit::oci
