// Files that appear atomically: written under a temporary name beside their destination,
// renamed into place by commit(), removed by the destructor when never committed.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace compose {

// Owns a path and removes it (file or directory tree) on destruction unless released.
class TempPath {
public:
  TempPath() = default;
  explicit TempPath(std::filesystem::path path); // listed for removal on interrupt
  TempPath(TempPath&& other) noexcept;
  TempPath& operator=(TempPath&& other) noexcept;
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  ~TempPath();

  const std::filesystem::path& path() const { return m_path; }
  std::filesystem::path release();
  void reset();

private:
  std::filesystem::path m_path;
};

// Creates a fresh temporary directory under `parent` (default: $TMPDIR or /tmp).
TempPath make_temp_directory(const std::string& prefix,
                             const std::filesystem::path& parent = {});

// A file being written: open() creates "<dest>.tmp-<random>" in dest's directory.
class AtomicFile {
public:
  // `durable`: close() fsyncs, so a renamed file is never empty after a crash. `scratch`:
  // no fsync, for intermediate files this process reads back and removes, and for cache
  // entries checked on every read (a torn one fails the check).
  enum class Sync { durable, scratch };
  explicit AtomicFile(std::filesystem::path destination, Sync sync = Sync::durable);
  AtomicFile(AtomicFile&&) noexcept;
  AtomicFile& operator=(AtomicFile&&) noexcept;
  ~AtomicFile(); // not committed: close and remove the temporary file

  void write(std::string_view bytes);
  std::FILE* stream() { return m_stream; }                 // for libraries that want a FILE*
  int fd() const;                                          // for libraries that want a fd
  const std::filesystem::path& temp_path() const { return m_temp.path(); }
  const std::filesystem::path& destination() const { return m_destination; }
  void close();  // flush + fsync; the file stays under its temporary name
  void commit(); // close() if needed, then rename onto the destination; throws Error

private:
  std::filesystem::path m_destination;
  TempPath m_temp;
  std::FILE* m_stream = nullptr;
  Sync m_sync = Sync::durable;
};

std::string read_file(const std::filesystem::path& path); // throws Error naming the path
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);

// Random hex for temporary names; never reaches an output.
std::string random_suffix();

// Sets a cache entry's modification time to now: its last use, which `compose cache prune`
// reads. Best effort: a read-only cache stays as it is. Entries never change after they
// are written, so their mtime has no other meaning.
void mark_used(const std::filesystem::path& path) noexcept;

} // namespace compose
