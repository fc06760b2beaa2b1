// Content-addressed cache; see cache.hpp.
#include "fetch/cache.hpp"

#include "util/error.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::fetch {

bool is_sha256_hex(std::string_view text)
{
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::optional<std::string> read_digest_record(const fs::path& record)
{
  std::string digest;
  try {
    digest = read_file(record);
  } catch (const Error&) {
    return std::nullopt;
  }
  while (!digest.empty() && (digest.back() == '\n' || digest.back() == '\r'))
    digest.pop_back();
  if (!is_sha256_hex(digest))
    return std::nullopt;
  return digest;
}

Cache::Cache(fs::path root) : m_root(std::move(root))
{
  std::error_code ec;
  for (const char* sub : {"sha256", "keys", "tmp"}) {
    fs::create_directories(m_root / sub, ec);
    if (ec)
      throw Error("cannot create cache directory: " + ec.message(), (m_root / sub).string(),
                  "choose another place with --cache-dir");
  }
}

std::optional<fs::path> Cache::find(const std::string& sha256,
                                    std::optional<std::uint64_t> size) const
{
  if (!is_sha256_hex(sha256))
    return std::nullopt;
  const fs::path entry = m_root / "sha256" / sha256;
  std::error_code ec;
  const auto actual = fs::file_size(entry, ec);
  if (ec || (size && actual != *size))
    return std::nullopt;
  mark_used(entry);
  return entry;
}

std::optional<std::string> Cache::lookup(const std::string& key) const
{
  const fs::path record = m_root / "keys" / sha256_hex(key);
  std::error_code ec;
  if (!fs::exists(record, ec))
    return std::nullopt;
  std::optional<std::string> digest = read_digest_record(record);
  if (digest)
    mark_used(record);
  return digest;
}

TempPath Cache::temporary() const
{
  return TempPath(m_root / "tmp" / ("download-" + random_suffix()));
}

fs::path Cache::commit(TempPath temporary, const std::string& sha256) const
{
  const fs::path entry = m_root / "sha256" / sha256;
  std::error_code ec;
  fs::rename(temporary.path(), entry, ec);
  if (ec)
    throw Error("cannot move download into the cache: " + ec.message(), entry.string());
  temporary.release();
  return entry;
}

void Cache::remember(const std::string& key, const std::string& sha256) const
{
  write_file_atomic(m_root / "keys" / sha256_hex(key), sha256 + "\n");
}

} // namespace compose::fetch
