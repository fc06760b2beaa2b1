// Content: the bytes of one regular file of the tree. Files made by the build (overlays,
// script effects, generated configuration) hold their bytes in memory; files unpacked from
// packages are references into an open file (a decoded-package cache entry or a spill
// file), so the tree does not grow with the image. Readers that need every byte ask for
// them (read); writers stream them in chunks (stream, read_at), which is safe from several
// threads at once: references are read with pread, never through a shared file position.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace compose::stage {

// An open, read-only file that references point into; closed with the last Content that
// refers to it. `where` names it in messages.
class ContentFile {
public:
  ContentFile(int fd, std::string where); // takes ownership of fd
  ~ContentFile();
  ContentFile(const ContentFile&) = delete;
  ContentFile& operator=(const ContentFile&) = delete;

  int fd() const { return m_fd; }
  const std::string& where() const { return m_where; }
  std::uint64_t size() const; // as the file is now
  // Reads exactly `length` bytes at `offset`; throws Error for a read error or a file that
  // ends early (it was truncated under us).
  void read_at(std::uint64_t offset, char* out, std::size_t length) const;

private:
  int m_fd;
  std::string m_where;
};

class Content {
public:
  static constexpr std::size_t k_chunk = std::size_t{1} << 20; // stream()'s largest piece

  Content() = default;
  explicit Content(std::string bytes);
  // `size` bytes of `file` from `offset`; the caller has checked they are within the file.
  Content(std::shared_ptr<const ContentFile> file, std::uint64_t offset, std::uint64_t size);

  std::uint64_t size() const { return m_size; }
  bool is_reference() const { return m_file != nullptr; }
  // Every byte, in memory: for readers that parse or edit a file (scripts' effects,
  // ELF headers, text configuration). Writers use stream() or read_at().
  std::string read() const;
  // Calls `sink` with the bytes in order, in pieces of at most k_chunk bytes that start at
  // multiples of k_chunk (so a 4 KiB block never straddles two pieces); nothing for an
  // empty file.
  void stream(const std::function<void(std::string_view)>& sink) const;
  // Copies [offset, offset + length) into `out`; the range must lie within the content.
  void read_at(std::uint64_t offset, char* out, std::size_t length) const;
  // SHA-256 of the content, lower-case hex; computed once (streaming), on first use.
  const std::string& sha256() const;

private:
  struct Digest;
  std::shared_ptr<const std::string> m_bytes;    // in memory, or
  std::shared_ptr<const ContentFile> m_file;     // a reference: file, offset, size
  std::uint64_t m_offset = 0;
  std::uint64_t m_size = 0;
  std::shared_ptr<Digest> m_sha256; // lazily filled, shared by copies
};

} // namespace compose::stage
