// Decoded package data in the cache or a spill file; see decoded_data.hpp.
#include "unpack/decoded_data.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::unpack {

namespace {

struct Record {
  std::string sha256;
  std::uint64_t size = 0;
};

// "<64 hex> <decimal size>\n"; nullopt for anything else (a damaged sidecar is no record).
std::optional<Record> read_record(const fs::path& path)
{
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return std::nullopt;
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (text.size() < 67 || text[64] != ' ' || !text.ends_with('\n'))
    return std::nullopt;
  Record record{text.substr(0, 64), 0};
  if (record.sha256.find_first_not_of("0123456789abcdef") != std::string::npos)
    return std::nullopt;
  const char* first = text.data() + 65;
  const char* last = text.data() + text.size() - 1;
  const auto [end, status] = std::from_chars(first, last, record.size);
  if (status != std::errc() || end != last)
    return std::nullopt;
  return record;
}

void write_all(int fd, std::string_view bytes, const std::string& where)
{
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw Error(std::string("cannot write the decoded data: ") + std::strerror(errno), where,
                  "free some space, or point TMPDIR or --cache-dir elsewhere");
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// An anonymous file in TMPDIR: gone from the directory at once, freed when closed.
int open_spill_file(const std::string& where)
{
  std::error_code ec;
  fs::path directory = fs::temp_directory_path(ec);
  if (ec)
    directory = "/tmp";
  int fd = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) { // file systems without O_TMPFILE
    std::string name = (directory / "compose-spill-XXXXXX").string();
    fd = ::mkostemp(name.data(), O_CLOEXEC);
    if (fd >= 0)
      ::unlink(name.c_str());
  }
  if (fd < 0)
    throw Error(std::string("cannot create a spill file in ") + directory.string() + ": " +
                    std::strerror(errno),
                where, "set TMPDIR to a writable directory");
  return fd;
}

// The tree keeps one descriptor open per package until the outputs are written; images of
// more than ~1000 packages would meet the usual soft limit of 1024, so take the hard one.
void allow_open_files()
{
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

} // namespace

DecodedCache::DecodedCache(fs::path directory, Log& log)
    : m_directory(std::move(directory)), m_log(log)
{
  static const bool raised = (allow_open_files(), true);
  (void)raised;
}

DecodedCache::Counts DecodedCache::counts() const
{
  return {m_read.load(), m_decoded.load(), m_rebuilt.load()};
}

std::string DecodedCache::summary() const
{
  const Counts now = counts();
  std::string text = "decoded " + std::to_string(now.decoded) + " packages, " +
                     std::to_string(now.read) + " read from the decoded cache";
  if (now.rebuilt > 0)
    text += ", " + std::to_string(now.rebuilt) + " damaged entries rebuilt";
  return text;
}

DecodedData DecodedCache::open(const std::string& package_sha256, const std::string& where,
                               const DataDecoder& decode)
{
  if (std::optional<DecodedData> cached = read_entry(package_sha256, where))
    return std::move(*cached);
  return decode_entry(package_sha256, where, decode);
}

std::optional<DecodedData> DecodedCache::read_entry(const std::string& package_sha256,
                                                    const std::string& where)
{
  if (m_directory.empty())
    return std::nullopt;
  const fs::path tar = m_directory / (package_sha256 + ".tar");
  std::error_code ec;
  if (!fs::exists(tar, ec))
    return std::nullopt;
  try {
    const std::optional<Record> record = read_record(fs::path(tar).concat(".sum"));
    if (!record)
      throw Error("no valid record of its digest", tar.string());
    const int fd = ::open(tar.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      throw Error(std::string("cannot open: ") + std::strerror(errno), tar.string());
    DecodedData data{std::make_shared<const stage::ContentFile>(fd, tar.string()), {}};
    const std::uint64_t size = data.file->size();
    if (size != record->size)
      throw Error("is " + std::to_string(size) + " bytes, its record says " +
                      std::to_string(record->size),
                  tar.string());
    Hasher hasher(DigestAlgorithm::sha256);
    read_tar_file(fd, size, tar.string(), &hasher,
                  [&](const TarEntry& entry) { data.entries.push_back(entry); });
    const std::string actual = hasher.finish_hex();
    if (actual != record->sha256)
      throw Error("SHA-256 " + actual + " does not match its record " + record->sha256,
                  tar.string());
    ++m_read;
    mark_used(tar);
    mark_used(fs::path(tar).concat(".sum"));
    return data;
  } catch (const Error& error) {
    m_log.detail(where + ": decoded cache entry refused (" + error.message() + " at " +
                 error.where() + "); decoding the package again");
    ++m_rebuilt;
    return std::nullopt;
  }
}

DecodedData DecodedCache::decode_entry(const std::string& package_sha256,
                                       const std::string& where, const DataDecoder& decode)
{
  const fs::path tar = m_directory.empty() ? fs::path() : m_directory / (package_sha256 + ".tar");
  TempPath temporary;
  int fd = -1;
  if (!tar.empty()) {
    std::error_code ec;
    fs::create_directories(m_directory, ec);
    const fs::path name = m_directory / ("tmp-" + random_suffix() + ".tar");
    fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0)
      temporary = TempPath(name);
    else
      m_log.detail(where + ": cannot write the decoded cache in " + m_directory.string() + " (" +
                   std::strerror(errno) + "); using a spill file");
  }
  const bool cached = fd >= 0;
  if (!cached)
    fd = open_spill_file(where);
  const std::string file_where = cached ? tar.string() : "spill file of " + where;
  DecodedData data{std::make_shared<const stage::ContentFile>(fd, file_where), {}};

  Hasher hasher(DigestAlgorithm::sha256);
  std::uint64_t size = 0;
  decode([&](std::string_view piece) {
    write_all(fd, piece, file_where);
    hasher.update(piece);
    size += piece.size();
  });
  // The file holds what was just written through this descriptor: no digest to check.
  read_tar_file(fd, size, where, nullptr,
                [&](const TarEntry& entry) { data.entries.push_back(entry); });
  ++m_decoded;
  if (cached) {
    // The tar first, its record after: a reader never takes a record for a tar still coming.
    try {
      fs::rename(temporary.path(), tar);
      temporary.release();
      write_file_atomic(fs::path(tar).concat(".sum"),
                        hasher.finish_hex() + " " + std::to_string(size) + "\n");
    } catch (const std::exception& e) {
      m_log.detail(where + ": cannot keep the decoded data (" + std::string(e.what()) + ")");
    }
  }
  return data;
}

} // namespace compose::unpack
