// Byte counts as people write and read them; see byte_size.hpp.
#include "util/byte_size.hpp"

#include <charconv>
#include <cstdio>
#include <limits>

namespace compose {

std::optional<std::uint64_t> parse_byte_size(std::string_view text)
{
  static constexpr std::string_view k_suffixes = "KMGTkmgt";
  unsigned shift = 0;
  if (!text.empty() && k_suffixes.find(text.back()) != std::string_view::npos) {
    shift = static_cast<unsigned>(10 * (k_suffixes.find(text.back()) % 4 + 1));
    text.remove_suffix(1);
  }
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  std::uint64_t number = 0;
  if (std::from_chars(text.data(), text.data() + text.size(), number).ec != std::errc() ||
      number > (std::numeric_limits<std::uint64_t>::max() >> shift))
    return std::nullopt;
  return number << shift;
}

std::string format_byte_size(std::uint64_t bytes)
{
  static const char* const k_units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024)
    return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(k_units)) {
    value /= 1024;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, value < 10 ? "%.1f %s" : "%.0f %s", value, k_units[unit]);
  return text;
}

} // namespace compose
