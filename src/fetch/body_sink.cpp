// A transfer's body on disk; see body_sink.hpp.
#include "fetch/body_sink.hpp"

#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace compose::fetch {

namespace {

// "cannot write the download of URL: No space left on device", at the temp file.
[[noreturn]] void write_failure(const std::string& url, const std::filesystem::path& destination,
                                int error)
{
  throw Error("cannot write the download of " + url + ": " +
                  std::string(std::strerror(error ? error : EIO)),
              destination.string(),
              error == ENOSPC || error == EDQUOT
                  ? "free space on the cache's disk or point --cache-dir elsewhere"
                  : "check that the cache directory is writable");
}

} // namespace

BodySink::BodySink(std::string url, std::filesystem::path destination, std::uint64_t max_bytes)
    : m_url(std::move(url)), m_destination(std::move(destination)),
      m_file(std::fopen(m_destination.c_str(), "wb")), m_max_bytes(max_bytes)
{
  if (!m_file)
    write_failure(m_url, m_destination, errno);
}

bool BodySink::append(const char* data, std::size_t bytes)
{
  if (m_write_errno != 0)
    return false;
  if (bytes > m_max_bytes - m_size) {
    m_too_large = true;
    return false;
  }
  if (std::fwrite(data, 1, bytes, m_file.get()) != bytes) {
    m_write_errno = errno ? errno : EIO;
    return false;
  }
  m_hasher.update(data, bytes);
  m_size += bytes;
  return true;
}

void BodySink::finish()
{
  if (m_write_errno != 0)
    write_failure(m_url, m_destination, m_write_errno);
  if (std::fflush(m_file.get()) != 0)
    write_failure(m_url, m_destination, errno);
}

} // namespace compose::fetch
