// printable(); see printable.hpp.
#include "util/printable.hpp"

#include <cstdint>

namespace compose {

namespace {

void escape_byte(std::string& out, unsigned char byte)
{
  static constexpr char digits[] = "0123456789abcdef";
  out += "\\x";
  out += digits[byte >> 4];
  out += digits[byte & 0xf];
}

// Length of the well-formed UTF-8 sequence at `at` (2 to 4 bytes), or 0.
std::size_t sequence_length(std::string_view text, std::size_t at, std::uint32_t& code_point)
{
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  const std::size_t length = lead >= 0xc2 && lead <= 0xdf   ? 2
                             : lead >= 0xe0 && lead <= 0xef ? 3
                             : lead >= 0xf0 && lead <= 0xf4 ? 4
                                                            : 0;
  if (length == 0 || at + length > text.size())
    return 0;
  code_point = lead & (0x7f >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80)
      return 0;
    code_point = (code_point << 6) | (byte(at + i) & 0x3f);
  }
  const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < smallest[length] || code_point > 0x10ffff ||
      (code_point >= 0xd800 && code_point <= 0xdfff))
    return 0;
  return length;
}

} // namespace

std::string printable(std::string_view text, bool keep_newlines)
{
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if ((byte < 0x20 && !(keep_newlines && byte == '\n')) || byte == 0x7f)
        escape_byte(out, byte);
      else
        out += static_cast<char>(byte);
      ++i;
      continue;
    }
    std::uint32_t code_point = 0;
    const std::size_t length = sequence_length(text, i, code_point);
    if (length == 0 || (code_point >= 0x80 && code_point <= 0x9f)) {
      // Not UTF-8, or a C1 control: every byte of it shown as a number.
      const std::size_t count = length == 0 ? 1 : length;
      for (std::size_t k = 0; k < count; ++k)
        escape_byte(out, static_cast<unsigned char>(text[i + k]));
      i += count;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

bool is_utf8(std::string_view text)
{
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    std::uint32_t code_point = 0;
    const std::size_t length = sequence_length(text, i, code_point);
    if (length == 0)
      return false;
    i += length;
  }
  return true;
}

} // namespace compose
