// Reading ustar/pax/GNU tar from memory; see tar_reader.hpp.
#include "unpack/tar_reader.hpp"

#include <algorithm>
#include <charconv>

#include "util/error.hpp"

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
std::uint64_t parse_number(std::string_view field, const std::string& where, std::size_t offset,
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
               const std::string& where, std::size_t offset)
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

void check_header_sum(const HeaderView& header, const std::string& where, std::size_t offset)
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

} // namespace

void read_tar(std::string_view bytes, const std::string& where,
              const std::function<void(const TarEntry&)>& visit)
{
  std::map<std::string, std::string> global_pax;
  std::map<std::string, std::string> local_pax;
  std::string long_name, long_link;
  bool have_long_name = false, have_long_link = false;
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    if (bytes.size() - offset < k_block) {
      if (all_zero(bytes.substr(offset)))
        return;
      throw Error("tar header at byte " + std::to_string(offset) + " is truncated", where);
    }
    const HeaderView header{bytes.substr(offset, k_block)};
    if (all_zero(header.block))
      return; // end-of-archive block
    check_header_sum(header, where, offset);
    const std::uint64_t size = parse_number(header.field(124, 12), where, offset, "size");
    const char type = header.block[156];
    const std::size_t data_offset = offset + k_block;
    if (size > bytes.size() - data_offset)
      throw Error("tar entry at byte " + std::to_string(offset) + " is truncated: " +
                      std::to_string(size) + " bytes announced, " +
                      std::to_string(bytes.size() - data_offset) + " present",
                  where);
    const std::string_view data = bytes.substr(data_offset, size);
    const std::size_t next = data_offset + (size + k_block - 1) / k_block * k_block;
    const std::size_t entry_offset = offset;
    offset = std::min(next, bytes.size());

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
    if (entry.type == '0' || entry.type == '7')
      entry.content = data;
    visit(entry);
  }
}

} // namespace compose::unpack
