// Reading the ar container of a .deb with every field bounds-checked; see ar_reader.hpp.
#include "unpack/deb/ar_reader.hpp"

#include "util/error.hpp"

namespace compose::unpack::deb {

namespace {

constexpr std::string_view k_global_magic = "!<arch>\n";
constexpr std::size_t k_header_size = 60;
// Header fields (ar(5)): name 16, mtime 12, uid 6, gid 6, mode 8, size 10, terminator 2.
constexpr std::size_t k_name_offset = 0, k_name_size = 16;
constexpr std::size_t k_size_offset = 48, k_size_size = 10;
constexpr std::size_t k_end_offset = 58;
constexpr std::string_view k_header_end = "`\n";

std::string printable(std::string_view text)
{
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      static constexpr char k_hex[] = "0123456789abcdef";
      out += "\\x";
      out += k_hex[byte >> 4];
      out += k_hex[byte & 0xf];
    }
  }
  return out;
}

std::string trim_right(std::string_view field)
{
  while (!field.empty() && field.back() == ' ')
    field.remove_suffix(1);
  return std::string(field);
}

// The size field is decimal text left-aligned and space padded; anything else would let a
// crafted header point outside the file.
std::size_t parse_size(std::string_view field, const std::string& where)
{
  const std::string text = trim_right(field);
  if (text.empty())
    throw Error("ar member size is empty", where);
  std::size_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9')
      throw Error("ar member size " + quote(printable(field)) + " is not a decimal number", where);
    value = value * 10 + static_cast<std::size_t>(c - '0'); // 10 digits cannot overflow
  }
  return value;
}

} // namespace

std::vector<ArMember> read_ar(std::string_view bytes, const std::string& where)
{
  if (!bytes.starts_with(k_global_magic))
    throw Error("not an ar archive: expected the magic '!<arch>\\n', found " +
                    quote(printable(bytes.substr(0, k_global_magic.size()))),
                where, "a .deb file starts with '!<arch>'; is the download complete?");
  std::vector<ArMember> members;
  std::size_t offset = k_global_magic.size();
  while (offset < bytes.size()) {
    const std::string at_offset = where + ": ar member at byte " + std::to_string(offset);
    if (bytes.size() - offset < k_header_size)
      throw Error("ar member header is truncated: " + std::to_string(bytes.size() - offset) +
                      " of " + std::to_string(k_header_size) + " bytes present",
                  at_offset, "the file is cut short; fetch it again");
    const std::string_view header = bytes.substr(offset, k_header_size);
    std::string name = trim_right(header.substr(k_name_offset, k_name_size));
    // GNU ar ends names with '/'; dpkg accepts both forms.
    if (name.ends_with('/') && name.size() > 1)
      name.pop_back();
    const std::string member_where = where + ": " + (name.empty() ? at_offset : name);
    if (header.substr(k_end_offset) != k_header_end)
      throw Error("ar member header does not end with '`\\n' (found " +
                      quote(printable(header.substr(k_end_offset))) + ")",
                  member_where);
    if (name.empty())
      throw Error("ar member has an empty name", at_offset);
    const std::size_t size = parse_size(header.substr(k_size_offset, k_size_size), member_where);
    const std::size_t data_offset = offset + k_header_size;
    const std::size_t present = bytes.size() - data_offset;
    if (size > present)
      throw Error("ar member is truncated: its header announces " + std::to_string(size) +
                      " bytes, " + std::to_string(present) + " remain in the file",
                  member_where, "the file is cut short; fetch it again");
    members.push_back(ArMember{name, bytes.substr(data_offset, size), offset});
    offset = data_offset + size;
    if (size % 2 == 1 && offset < bytes.size()) {
      // Members start at even offsets; the pad byte is '\n'. A file that ends right after
      // an odd-sized last member has lost nothing, so only a pad between members is checked.
      if (bytes[offset] != '\n')
        throw Error("ar padding byte after the member is " +
                        quote(printable(bytes.substr(offset, 1))) + ", expected '\\n'",
                    member_where);
      ++offset;
    }
  }
  return members;
}

} // namespace compose::unpack::deb
