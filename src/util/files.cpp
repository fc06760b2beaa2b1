// TempPath, AtomicFile and whole-file helpers; see files.hpp.
#include "util/files.hpp"

#include "util/interrupt_cleanup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace compose {

TempPath::TempPath(std::filesystem::path path) : m_path(std::move(path))
{
  register_partial(m_path);
}

TempPath::TempPath(TempPath&& other) noexcept : m_path(other.m_path)
{
  // Listed again under the new owner before the old one lets go: never unlisted meanwhile.
  register_partial(m_path);
  other.release();
}

TempPath& TempPath::operator=(TempPath&& other) noexcept
{
  if (this != &other) {
    reset();
    m_path = other.m_path;
    register_partial(m_path);
    other.release();
  }
  return *this;
}

TempPath::~TempPath() { reset(); }

fs::path TempPath::release()
{
  fs::path path = std::move(m_path);
  m_path.clear();
  unregister_partial(path);
  return path;
}

void TempPath::reset()
{
  if (!m_path.empty()) {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
    unregister_partial(m_path);
    m_path.clear();
  }
}

std::string random_suffix()
{
  // Names of temporary files only; never reaches an output.
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  std::ostringstream out;
  out << std::hex << generator();
  return out.str();
}

void mark_used(const fs::path& path) noexcept
{
  const struct timespec times[2] = {{0, UTIME_OMIT}, {0, UTIME_NOW}};
  (void)::utimensat(AT_FDCWD, path.c_str(), times, 0);
}

TempPath make_temp_directory(const std::string& prefix, const fs::path& parent)
{
  fs::path base = parent;
  if (base.empty()) {
    const char* tmpdir = std::getenv("TMPDIR");
    base = tmpdir && *tmpdir ? fs::path(tmpdir) : fs::path("/tmp");
  }
  std::string pattern = (base / (prefix + "XXXXXX")).string();
  if (!mkdtemp(pattern.data()))
    throw Error(std::string("cannot create temporary directory: ") + std::strerror(errno),
                base.string());
  return TempPath(pattern);
}

AtomicFile::AtomicFile(fs::path destination, Sync sync)
    : m_destination(std::move(destination)), m_sync(sync)
{
  std::error_code ec;
  if (m_destination.has_parent_path())
    fs::create_directories(m_destination.parent_path(), ec);
  fs::path temp = m_destination;
  temp += ".tmp-" + random_suffix();
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0)
    throw Error(std::string("cannot create file: ") + std::strerror(errno), temp.string());
  m_temp = TempPath(temp);
  // Outputs are 0644 whatever the umask: nothing of the host leaks into file modes.
  ::fchmod(fd, 0644);
  m_stream = ::fdopen(fd, "wb");
  if (!m_stream) {
    ::close(fd);
    throw Error("cannot open file stream", temp.string());
  }
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : m_destination(std::move(other.m_destination)), m_temp(std::move(other.m_temp)),
      m_stream(other.m_stream), m_sync(other.m_sync)
{
  other.m_stream = nullptr;
}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept
{
  if (this != &other) {
    if (m_stream)
      std::fclose(m_stream);
    m_destination = std::move(other.m_destination);
    m_temp = std::move(other.m_temp);
    m_stream = other.m_stream;
    m_sync = other.m_sync;
    other.m_stream = nullptr;
  }
  return *this;
}

AtomicFile::~AtomicFile()
{
  if (m_stream)
    std::fclose(m_stream);
}

void AtomicFile::write(std::string_view bytes)
{
  if (!m_stream)
    throw Error("write after close", m_temp.path().string());
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), m_stream) != bytes.size())
    throw Error(std::string("write failed: ") + std::strerror(errno), m_temp.path().string());
}

int AtomicFile::fd() const { return m_stream ? ::fileno(m_stream) : -1; }

void AtomicFile::close()
{
  if (!m_stream)
    return;
  std::FILE* stream = m_stream;
  m_stream = nullptr;
  const bool flushed = std::fflush(stream) == 0 &&
                       (m_sync == Sync::scratch || ::fsync(::fileno(stream)) == 0);
  const bool closed = std::fclose(stream) == 0;
  if (!flushed || !closed)
    throw Error(std::string("cannot finish writing: ") + std::strerror(errno),
                m_temp.path().string());
}

void AtomicFile::commit()
{
  close();
  std::error_code ec;
  fs::rename(m_temp.path(), m_destination, ec);
  if (ec)
    throw Error("cannot move into place: " + ec.message(), m_destination.string());
  m_temp.release();
}

// One read into a string sized from fstat: a string stream grows by doubling and copies,
// which for an 87 MB parsed index cost more than parsing it.
std::string read_file(const fs::path& path)
{
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw Error(std::string("cannot read file: ") + std::strerror(errno), path.string());
  struct stat info {};
  std::string bytes;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode))
    bytes.resize(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  std::array<char, 1 << 16> more{}; // past the expected end: the file grew, or /proc
  for (;;) {
    const bool full = done == bytes.size();
    const ssize_t got = full ? ::read(fd, more.data(), more.size())
                             : ::read(fd, bytes.data() + done, bytes.size() - done);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      const int saved = errno;
      ::close(fd);
      throw Error(std::string("read error: ") + std::strerror(saved), path.string());
    }
    if (got == 0)
      break;
    if (full)
      bytes.append(more.data(), static_cast<std::size_t>(got));
    done += static_cast<std::size_t>(got);
  }
  ::close(fd);
  bytes.resize(done);
  return bytes;
}

void write_file_atomic(const fs::path& path, std::string_view bytes)
{
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

} // namespace compose
