// Content in memory or by reference; see content.hpp.
#include "stage/content.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::stage {

ContentFile::ContentFile(int fd, std::string where) : m_fd(fd), m_where(std::move(where)) {}

ContentFile::~ContentFile()
{
  if (m_fd >= 0)
    ::close(m_fd);
}

std::uint64_t ContentFile::size() const
{
  struct stat status {};
  if (::fstat(m_fd, &status) != 0)
    throw Error(std::string("cannot stat: ") + std::strerror(errno), m_where);
  return static_cast<std::uint64_t>(status.st_size);
}

void ContentFile::read_at(std::uint64_t offset, char* out, std::size_t length) const
{
  while (length > 0) {
    const ssize_t n = ::pread(m_fd, out, length, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw Error(std::string("cannot read: ") + std::strerror(errno), m_where);
    if (n == 0)
      throw Error("file ends at byte " + std::to_string(offset) + ", before the content it holds",
                  m_where, "the file was truncated while the build read it");
    out += n;
    offset += static_cast<std::uint64_t>(n);
    length -= static_cast<std::size_t>(n);
  }
}

struct Content::Digest {
  std::once_flag once;
  std::string hex;
};

Content::Content(std::string bytes)
    : m_bytes(std::make_shared<const std::string>(std::move(bytes))),
      m_size(m_bytes->size()), m_sha256(std::make_shared<Digest>())
{
}

Content::Content(std::shared_ptr<const ContentFile> file, std::uint64_t offset,
                 std::uint64_t size)
    : m_file(std::move(file)), m_offset(offset), m_size(size),
      m_sha256(std::make_shared<Digest>())
{
}

std::string Content::read() const
{
  if (m_bytes)
    return *m_bytes;
  std::string out(m_size, '\0');
  if (m_file)
    m_file->read_at(m_offset, out.data(), out.size());
  return out;
}

void Content::read_at(std::uint64_t offset, char* out, std::size_t length) const
{
  if (offset > m_size || length > m_size - offset)
    throw Error("read of " + std::to_string(length) + " bytes at " + std::to_string(offset) +
                    " beyond the content's " + std::to_string(m_size),
                m_file ? m_file->where() : "file content");
  if (m_bytes)
    std::memcpy(out, m_bytes->data() + offset, length);
  else if (m_file)
    m_file->read_at(m_offset + offset, out, length);
}

void Content::stream(const std::function<void(std::string_view)>& sink) const
{
  if (m_bytes) {
    // Pieces, not one view, so that callers see the same chunking for both kinds.
    for (std::uint64_t offset = 0; offset < m_size; offset += k_chunk)
      sink(std::string_view(*m_bytes).substr(offset, k_chunk));
    return;
  }
  if (!m_file || m_size == 0)
    return;
  // One buffer per thread, kept: a fresh one per file cost a page fault per 4 KiB of every
  // file in every output. A sink that streams other content gets a buffer of its own.
  thread_local std::unique_ptr<char[]> kept;
  thread_local bool kept_in_use = false;
  std::unique_ptr<char[]> own;
  char* buffer = nullptr;
  if (kept_in_use) {
    own.reset(new char[k_chunk]);
    buffer = own.get();
  } else {
    if (!kept)
      kept.reset(new char[k_chunk]);
    buffer = kept.get();
    kept_in_use = true;
  }
  struct Release {
    bool active;
    ~Release()
    {
      if (active)
        kept_in_use = false;
    }
  } release{own == nullptr};
  for (std::uint64_t offset = 0; offset < m_size; offset += k_chunk) {
    const std::size_t length = std::min<std::uint64_t>(k_chunk, m_size - offset);
    m_file->read_at(m_offset + offset, buffer, length);
    sink(std::string_view(buffer, length));
  }
}

const std::string& Content::sha256() const
{
  static const std::string empty_digest = sha256_hex("");
  if (!m_sha256)
    return empty_digest;
  std::call_once(m_sha256->once, [this] {
    Hasher hasher(DigestAlgorithm::sha256);
    stream([&](std::string_view piece) { hasher.update(piece); });
    m_sha256->hex = hasher.finish_hex();
  });
  return m_sha256->hex;
}

} // namespace compose::stage
