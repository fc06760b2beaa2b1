// Decompression with libarchive's "raw" format; see decompress.hpp.
#include "util/decompress.hpp"

#include <archive.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "util/error.hpp"
#include "util/handles.hpp"

namespace compose {

namespace {

int enable_filter(archive* reader, const std::string& compression)
{
  if (compression == "xz")
    return archive_read_support_filter_xz(reader);
  if (compression == "gz")
    return archive_read_support_filter_gzip(reader);
  if (compression == "zst")
    return archive_read_support_filter_zstd(reader);
  if (compression == "bz2")
    return archive_read_support_filter_bzip2(reader);
  if (compression == "lzma")
    return archive_read_support_filter_lzma(reader);
  return ARCHIVE_FATAL;
}

} // namespace

std::string compression_of(std::string_view file_name, const std::string& where)
{
  const std::size_t slash = file_name.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? file_name : file_name.substr(slash + 1);
  const std::size_t dot = base.rfind('.');
  if (dot == std::string_view::npos)
    return "";
  const std::string suffix(base.substr(dot + 1));
  if (suffix == "xz" || suffix == "gz" || suffix == "zst" || suffix == "bz2" || suffix == "lzma")
    return suffix;
  if (suffix == "tar")
    return "";
  throw Error("unknown compression " + quote("." + suffix) + " of " +
                  quote(std::string(base)),
              where, "known: .xz, .gz, .zst, .bz2, .lzma or none");
}

std::string decompress(std::string_view bytes, const std::string& compression,
                       const std::string& where)
{
  if (compression.empty())
    return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() * 4);
  decompress_to(bytes, compression, where, [&](std::string_view piece) { out += piece; });
  return out;
}

void decompress_to(std::string_view bytes, const std::string& compression,
                   const std::string& where, const std::function<void(std::string_view)>& sink)
{
  if (compression.empty()) {
    if (!bytes.empty())
      sink(bytes);
    return;
  }
  ArchiveReader reader(archive_read_new());
  // Only the expected filter: data that is really another format must not be accepted.
  if (enable_filter(reader.get(), compression) < ARCHIVE_WARN)
    throw Error("unknown compression " + quote(compression), where);
  archive_read_support_format_raw(reader.get());
  // The raw format needs one byte of payload; a compressed empty file (Ubuntu serves empty
  // Packages.xz for empty pockets) is libarchive's "empty" format behind the filter.
  archive_read_support_format_empty(reader.get());
  auto fail = [&](const std::string& what) {
    const char* detail = archive_error_string(reader.get());
    return Error("cannot decompress (" + compression + "): " + what +
                     (detail ? std::string(": ") + detail : std::string()),
                 where);
  };
  if (archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    throw fail("not a " + compression + " stream");
  archive_entry* entry = nullptr;
  const int header = archive_read_next_header(reader.get(), &entry);
  if (archive_filter_count(reader.get()) < 2)
    throw fail("not a " + compression + " stream");
  if (header == ARCHIVE_EOF)
    return;
  if (header != ARCHIVE_OK)
    throw fail("not a " + compression + " stream");
  std::vector<char> buffer(std::size_t{1} << 18);
  for (;;) {
    const la_ssize_t n = archive_read_data(reader.get(), buffer.data(), buffer.size());
    if (n < 0)
      throw fail("corrupt or truncated data");
    if (n == 0)
      break;
    sink(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
}

namespace {

// Pieces from the decompressing thread to the consuming one. Emptied strings go back to
// the producer, so the pieces' memory is allocated once.
class PieceQueue {
public:
  struct Stopped {}; // thrown into the producer when the consumer has given up

  void put(std::string_view piece)
  {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_stopped || m_full.size() < k_depth; });
    if (m_stopped)
      throw Stopped{};
    std::string buffer;
    if (!m_empty.empty()) {
      buffer = std::move(m_empty.back());
      m_empty.pop_back();
    }
    buffer.assign(piece);
    m_full.push_back(std::move(buffer));
    m_changed.notify_all();
  }
  // False once the producer has finished and every piece was taken.
  bool take(std::string& piece)
  {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_finished || !m_full.empty(); });
    if (m_full.empty())
      return false;
    m_empty.push_back(std::move(piece));
    piece = std::move(m_full.front());
    m_full.pop_front();
    m_changed.notify_all();
    return true;
  }
  void finish(std::exception_ptr error)
  {
    std::lock_guard lock(m_mutex);
    m_finished = true;
    m_error = std::move(error);
    m_changed.notify_all();
  }
  void stop()
  {
    std::lock_guard lock(m_mutex);
    m_stopped = true;
    m_changed.notify_all();
  }
  std::exception_ptr error()
  {
    std::lock_guard lock(m_mutex);
    return m_error;
  }

private:
  static constexpr std::size_t k_depth = 4; // pieces of 256 KiB queued at most
  std::mutex m_mutex;
  std::condition_variable m_changed;
  std::deque<std::string> m_full;
  std::vector<std::string> m_empty;
  bool m_finished = false, m_stopped = false;
  std::exception_ptr m_error;
};

} // namespace

void decompress_to_in_parallel(std::string_view bytes, const std::string& compression,
                               const std::string& where,
                               const std::function<void(std::string_view)>& sink)
{
  if (compression.empty()) {
    decompress_to(bytes, compression, where, sink);
    return;
  }
  PieceQueue queue;
  std::thread producer([&] {
    std::exception_ptr error;
    try {
      decompress_to(bytes, compression, where, [&](std::string_view piece) { queue.put(piece); });
    } catch (const PieceQueue::Stopped&) {
    } catch (...) {
      error = std::current_exception();
    }
    queue.finish(error);
  });
  try {
    std::string piece;
    while (queue.take(piece))
      sink(piece);
  } catch (...) {
    queue.stop();
    producer.join();
    throw;
  }
  producer.join();
  if (std::exception_ptr error = queue.error())
    std::rethrow_exception(error);
}

} // namespace compose
