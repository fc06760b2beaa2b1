// Reading ustar/pax/GNU tar from memory or from a file; see tar_reader.hpp.
#include "unpack/tar_reader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::unpack {

namespace {

constexpr std::size_t k_block = 512;

struct HeaderView {
  std::string_view block;
  std::string_view field(std::size_t offset, std::size_t length) const
  {
    return block.substr(offset, length);
  }
};

std::string field_text(std::string_view field)
{
  const std::size_t end = field.find('\0');
  return std::string(field.substr(0, end));
}

// Numeric header fields are octal text padded with NUL or space; GNU tar writes values
// that do not fit as base-256 with the high bit of the first byte set.
std::uint64_t parse_number(std::string_view field, const std::string& where, std::uint64_t offset,
                           const char* name)
{
  if (!field.empty() && (static_cast<unsigned char>(field[0]) & 0x80) != 0) {
    if ((static_cast<unsigned char>(field[0]) & 0x40) != 0)
      throw Error(std::string("negative base-256 ") + name + " in tar header at byte " +
                      std::to_string(offset),
                  where);
    std::uint64_t value = static_cast<unsigned char>(field[0]) & 0x3f;
    for (std::size_t i = 1; i < field.size(); ++i) {
      if (value >> 56)
        throw Error(std::string("base-256 ") + name + " overflows in tar header at byte " +
                        std::to_string(offset),
                    where);
      value = (value << 8) | static_cast<unsigned char>(field[i]);
    }
    return value;
  }
  std::uint64_t value = 0;
  bool digits = false;
  for (const char c : field) {
    if (c == '\0')
      break;
    if (c == ' ') {
      if (digits)
        break;
      continue;
    }
    if (c < '0' || c > '7')
      throw Error(std::string("bad octal ") + name + " " + quote(field_text(field)) +
                      " in tar header at byte " + std::to_string(offset),
                  where);
    if (value >> 60)
      throw Error(std::string("octal ") + name + " overflows in tar header at byte " +
                      std::to_string(offset),
                  where);
    value = value * 8 + static_cast<std::uint64_t>(c - '0');
    digits = true;
  }
  return value;
}

std::uint64_t parse_decimal(std::string_view text, const std::string& where, const char* what)
{
  // PAX times may carry a fraction ("1700000000.5"); whole seconds are what we keep.
  const std::string_view whole = text.substr(0, text.find('.'));
  std::uint64_t value = 0;
  const auto [end, status] = std::from_chars(whole.data(), whole.data() + whole.size(), value);
  if (status != std::errc() || end != whole.data() + whole.size() || whole.empty())
    throw Error(std::string("bad PAX ") + what + " value " + quote(std::string(text)), where);
  return value;
}

// PAX extended header records: "<length> <key>=<value>\n", length counting the whole record.
void parse_pax(std::string_view data, std::map<std::string, std::string>& into,
               const std::string& where, std::uint64_t offset)
{
  while (!data.empty()) {
    const std::size_t space = data.find(' ');
    std::size_t length = 0;
    const auto [end, status] = std::from_chars(data.data(), data.data() + std::min(space, data.size()),
                                               length);
    if (space == std::string_view::npos || status != std::errc() || end != data.data() + space ||
        length <= space + 1 || length > data.size() || data[length - 1] != '\n')
      throw Error("malformed PAX record in tar entry at byte " + std::to_string(offset), where);
    const std::string_view record = data.substr(space + 1, length - space - 2);
    const std::size_t equals = record.find('=');
    if (equals == std::string_view::npos || equals == 0)
      throw Error("PAX record without key=value in tar entry at byte " + std::to_string(offset),
                  where);
    into[std::string(record.substr(0, equals))] = std::string(record.substr(equals + 1));
    data.remove_prefix(length);
  }
}

bool all_zero(std::string_view bytes)
{
  return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == '\0'; });
}

void check_header_sum(const HeaderView& header, const std::string& where, std::uint64_t offset)
{
  const std::uint64_t stored = parse_number(header.field(148, 8), where, offset, "checksum");
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < k_block; ++i)
    sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(header.block[i]);
  if (sum != stored)
    throw Error("tar header checksum mismatch at byte " + std::to_string(offset) + ": stored " +
                    std::to_string(stored) + ", computed " + std::to_string(sum),
                where);
}

// Where the parser's bytes come from. Offsets asked for only grow.
class TarInput {
public:
  virtual ~TarInput() = default;
  virtual std::uint64_t size() const = 0;
  // The bytes [offset, offset + length); valid until the next call.
  virtual std::string_view take(std::uint64_t offset, std::size_t length) = 0;
  // A regular file's bytes as a view, or empty when only their place is reported.
  virtual std::string_view content(std::uint64_t offset, std::uint64_t length) = 0;
};

class MemoryInput final : public TarInput {
public:
  explicit MemoryInput(std::string_view bytes) : m_bytes(bytes) {}
  std::uint64_t size() const override { return m_bytes.size(); }
  std::string_view take(std::uint64_t offset, std::size_t length) override
  {
    return m_bytes.substr(offset, length);
  }
  std::string_view content(std::uint64_t offset, std::uint64_t length) override
  {
    return m_bytes.substr(offset, length);
  }

private:
  std::string_view m_bytes;
};

// Reads a file front to back through a small window. With a hasher every byte, skipped or
// not, passes it once, so a digest of the whole file comes out of the same pass; without
// one, file contents are skipped unread (the caller has just written them).
class FileInput final : public TarInput {
public:
  FileInput(int fd, std::uint64_t size, Hasher* hasher, std::string where)
      : m_fd(fd), m_size(size), m_hasher(hasher), m_where(std::move(where))
  {
    struct stat status {};
    if (!m_hasher && ::fstat(m_fd, &status) != 0)
      throw Error(std::string("cannot stat: ") + std::strerror(errno), m_where);
    m_file_end = static_cast<std::uint64_t>(status.st_size);
  }
  std::uint64_t size() const override { return m_size; }
  std::string_view take(std::uint64_t offset, std::size_t length) override
  {
    if (offset >= m_window_start + m_window.size())
      skip_to(offset);
    while (offset + length > m_window_start + m_window.size()) {
      // Bytes before `offset` are never asked for again: drop them, once per read, not
      // once per header (which would move the window for every small file).
      m_window.erase(0, offset - m_window_start);
      m_window_start = offset;
      if (!read_more(std::max(length - m_window.size(), k_read)))
        throw Error("file ends at byte " + std::to_string(m_position) + ", inside a tar entry",
                    m_where, "the file was truncated while the build read it");
    }
    return std::string_view(m_window).substr(offset - m_window_start, length);
  }
  std::string_view content(std::uint64_t, std::uint64_t) override { return {}; }
  // Reads (and hashes) whatever follows the end-of-archive block.
  void finish()
  {
    if (!m_hasher)
      return;
    m_window.clear();
    while (read_more(k_read))
      m_window.clear();
  }

private:
  static constexpr std::size_t k_read = std::size_t{1} << 20;

  void skip_to(std::uint64_t offset)
  {
    if (!m_hasher) {
      if (offset > m_file_end)
        throw Error("file ends at byte " + std::to_string(m_file_end) + ", inside a tar entry",
                    m_where, "the file was truncated while the build read it");
      m_position = offset;
    }
    while (m_position < offset) {
      m_window.clear();
      if (!read_more(std::min<std::uint64_t>(offset - m_position, k_read)))
        throw Error("file ends at byte " + std::to_string(m_position) + ", inside a tar entry",
                    m_where, "the file was truncated while the build read it");
    }
    m_window.clear();
    m_window_start = offset;
  }
  // Appends up to `length` more bytes to the window; false at the end of the file.
  bool read_more(std::size_t length)
  {
    const std::size_t old = m_window.size();
    m_window.resize(old + length);
    ssize_t n = 0;
    do
      n = ::pread(m_fd, m_window.data() + old, length, static_cast<off_t>(m_position));
    while (n < 0 && errno == EINTR);
    if (n < 0)
      throw Error(std::string("cannot read: ") + std::strerror(errno), m_where);
    m_window.resize(old + static_cast<std::size_t>(n));
    if (m_hasher)
      m_hasher->update(std::string_view(m_window).substr(old));
    m_position += static_cast<std::uint64_t>(n);
    return n > 0;
  }

  int m_fd;
  std::uint64_t m_size;
  Hasher* m_hasher;
  std::string m_where;
  std::string m_window;            // file bytes from m_window_start
  std::uint64_t m_window_start = 0;
  std::uint64_t m_position = 0;    // next byte to read
  std::uint64_t m_file_end = 0;    // without a hasher: the file's size when opened
};

void parse_tar(TarInput& input, const std::string& where,
               const std::function<void(const TarEntry&)>& visit)
{
  std::map<std::string, std::string> global_pax;
  std::map<std::string, std::string> local_pax;
  std::string long_name, long_link;
  bool have_long_name = false, have_long_link = false;
  const std::uint64_t total = input.size();
  std::uint64_t offset = 0;
  std::array<char, k_block> block{};
  while (offset < total) {
    if (total - offset < k_block) {
      if (all_zero(input.take(offset, static_cast<std::size_t>(total - offset))))
        return;
      throw Error("tar header at byte " + std::to_string(offset) + " is truncated", where);
    }
    const std::string_view taken = input.take(offset, k_block);
    std::copy(taken.begin(), taken.end(), block.begin()); // data reads may move the window
    const HeaderView header{std::string_view(block.data(), block.size())};
    if (all_zero(header.block))
      return; // end-of-archive block
    check_header_sum(header, where, offset);
    const std::uint64_t size = parse_number(header.field(124, 12), where, offset, "size");
    const char type = header.block[156];
    const std::uint64_t data_offset = offset + k_block;
    if (size > total - data_offset)
      throw Error("tar entry at byte " + std::to_string(offset) + " is truncated: " +
                      std::to_string(size) + " bytes announced, " +
                      std::to_string(total - data_offset) + " present",
                  where);
    const bool metadata = type == 'x' || type == 'g' || type == 'L' || type == 'K';
    const std::string_view data =
        metadata ? input.take(data_offset, static_cast<std::size_t>(size)) : std::string_view();
    const std::uint64_t next = data_offset + (size + k_block - 1) / k_block * k_block;
    const std::uint64_t entry_offset = offset;
    offset = std::min(next, total);

    switch (type) {
    case 'x': parse_pax(data, local_pax, where, entry_offset); continue;
    case 'g': parse_pax(data, global_pax, where, entry_offset); continue;
    case 'L':
      long_name = field_text(data);
      have_long_name = true;
      continue;
    case 'K':
      long_link = field_text(data);
      have_long_link = true;
      continue;
    default: break;
    }

    TarEntry entry;
    entry.type = type == '\0' ? '0' : type;
    entry.pax = global_pax;
    for (auto& [key, value] : local_pax)
      entry.pax[key] = value;
    local_pax.clear();

    const std::string prefix = field_text(header.field(345, 155));
    const std::string magic(header.field(257, 6));
    const bool ustar_prefix = magic == std::string("ustar\0", 6) && !prefix.empty();
    entry.name = ustar_prefix ? prefix + "/" + field_text(header.field(0, 100))
                              : field_text(header.field(0, 100));
    entry.linkname = field_text(header.field(157, 100));
    if (have_long_name)
      entry.name = long_name;
    if (have_long_link)
      entry.linkname = long_link;
    have_long_name = have_long_link = false;

    entry.mode = static_cast<std::uint32_t>(
        parse_number(header.field(100, 8), where, entry_offset, "mode"));
    entry.uid =
        static_cast<std::uint32_t>(parse_number(header.field(108, 8), where, entry_offset, "uid"));
    entry.gid =
        static_cast<std::uint32_t>(parse_number(header.field(116, 8), where, entry_offset, "gid"));
    entry.mtime = static_cast<std::int64_t>(
        parse_number(header.field(136, 12), where, entry_offset, "mtime"));
    entry.uname = field_text(header.field(265, 32));
    entry.gname = field_text(header.field(297, 32));
    entry.device_major = static_cast<std::uint32_t>(
        parse_number(header.field(329, 8), where, entry_offset, "devmajor"));
    entry.device_minor = static_cast<std::uint32_t>(
        parse_number(header.field(337, 8), where, entry_offset, "devminor"));

    for (const auto& [key, value] : entry.pax) {
      if (key == "path")
        entry.name = value;
      else if (key == "linkpath")
        entry.linkname = value;
      else if (key == "uname")
        entry.uname = value;
      else if (key == "gname")
        entry.gname = value;
      else if (key == "uid")
        entry.uid = static_cast<std::uint32_t>(parse_decimal(value, where, "uid"));
      else if (key == "gid")
        entry.gid = static_cast<std::uint32_t>(parse_decimal(value, where, "gid"));
      else if (key == "mtime")
        entry.mtime = static_cast<std::int64_t>(parse_decimal(value, where, "mtime"));
      else if (key == "size" && parse_decimal(value, where, "size") != size)
        throw Error("PAX size of " + quote(entry.name) + " differs from its header", where);
      else if (key.starts_with("SCHILY.xattr."))
        entry.xattrs[key.substr(13)] = value;
    }
    if (entry.type == '0' || entry.type == '7') {
      entry.content = input.content(data_offset, size);
      entry.content_offset = data_offset;
      entry.size = size;
    }
    visit(entry);
  }
}

} // namespace

void read_tar(std::string_view bytes, const std::string& where,
              const std::function<void(const TarEntry&)>& visit)
{
  MemoryInput input(bytes);
  parse_tar(input, where, visit);
}

void read_tar_file(int fd, std::uint64_t size, const std::string& where, Hasher* hasher,
                   const std::function<void(const TarEntry&)>& visit)
{
  FileInput input(fd, size, hasher, where);
  parse_tar(input, where, visit);
  input.finish();
}

} // namespace compose::unpack
