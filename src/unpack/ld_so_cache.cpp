// Writing the ld.so.cache file; see ld_so_cache.hpp.
#include "unpack/ld_so_cache.hpp"

#include <algorithm>
#include <map>

namespace compose::unpack {

namespace {

constexpr std::size_t k_header_size = 48;
constexpr std::size_t k_entry_size = 24;
constexpr std::uint32_t k_extension_magic = 0xeaa42174; // (uint32_t) -358342284
constexpr std::uint8_t k_flags_little_endian = 2;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

void put32(std::string& out, std::size_t at, std::uint32_t value)
{
  for (unsigned i = 0; i < 4; ++i)
    out[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

void append32(std::string& out, std::uint32_t value)
{
  out.append(4, '\0');
  put32(out, out.size() - 4, value);
}

// glibc elf/stringtable.c: the strings sorted by their reversed bytes, descending, longer
// first on a tie, so that a string which ends another directly follows it and shares its
// bytes (tail merging). Returns the table and each string's offset in it.
std::string finalize_strings(const std::vector<std::string>& unique_strings,
                             std::map<std::string, std::uint32_t>& offsets)
{
  std::vector<const std::string*> order;
  for (const std::string& s : unique_strings)
    order.push_back(&s);
  std::sort(order.begin(), order.end(), [](const std::string* left, const std::string* right) {
    const std::size_t common = std::min(left->size(), right->size());
    for (std::size_t i = 1; i <= common; ++i) {
      const auto l = static_cast<unsigned char>((*left)[left->size() - i]);
      const auto r = static_cast<unsigned char>((*right)[right->size() - i]);
      if (l != r)
        return l > r;
    }
    return left->size() > right->size();
  });
  std::string table;
  const std::string* previous = nullptr;
  std::uint32_t previous_offset = 0;
  for (const std::string* current : order) {
    std::uint32_t offset = 0;
    if (previous && previous->size() >= current->size() &&
        previous->compare(previous->size() - current->size(), current->size(), *current) == 0)
      offset = previous_offset + static_cast<std::uint32_t>(previous->size() - current->size());
    else if (previous)
      offset = previous_offset + static_cast<std::uint32_t>(previous->size()) + 1;
    offsets[*current] = offset;
    if (table.size() < offset + current->size() + 1)
      table.resize(offset + current->size() + 1, '\0');
    table.replace(offset, current->size(), *current);
    previous = current;
    previous_offset = offset;
  }
  return table;
}

} // namespace

int dl_cache_libcmp(std::string_view left, std::string_view right)
{
  // The C original walks NUL-terminated strings: the end reads as '\0'. Bytes are
  // compared as the x86 and arm64 ldconfig builds see them (signed char on x86); SONAMEs
  // are ASCII in practice, where both agree.
  const auto at = [](std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; };
  std::size_t i = 0, j = 0;
  while (at(left, i) != '\0') {
    if (is_digit(at(left, i))) {
      if (!is_digit(at(right, j)))
        return 1;
      long long a = 0, b = 0;
      while (is_digit(at(left, i)))
        a = a * 10 + (at(left, i++) - '0');
      while (is_digit(at(right, j)))
        b = b * 10 + (at(right, j++) - '0');
      if (a != b)
        return a < b ? -1 : 1;
    } else if (is_digit(at(right, j))) {
      return -1;
    } else if (at(left, i) != at(right, j)) {
      return static_cast<signed char>(at(left, i)) - static_cast<signed char>(at(right, j));
    } else {
      ++i;
      ++j;
    }
  }
  return static_cast<signed char>(at(left, i)) - static_cast<signed char>(at(right, j));
}

std::string ld_so_cache_bytes(std::vector<LdCacheEntry> entries, std::string_view generator)
{
  // add_to_cache inserts each entry before the first one that compares greater: a stable
  // sort with compare() from elf/cache.c (the arguments swapped for a descending order).
  std::stable_sort(entries.begin(), entries.end(),
                   [](const LdCacheEntry& left, const LdCacheEntry& right) {
                     const int by_name = dl_cache_libcmp(right.soname, left.soname);
                     if (by_name != 0)
                       return by_name < 0;
                     return left.flags > right.flags;
                   });

  std::vector<std::string> unique_strings;
  {
    std::map<std::string, bool> seen;
    for (const LdCacheEntry& entry : entries)
      for (const std::string* s : {&entry.soname, &entry.path})
        if (seen.emplace(*s, true).second)
          unique_strings.push_back(*s);
  }
  std::map<std::string, std::uint32_t> offsets;
  const std::string strings = finalize_strings(unique_strings, offsets);

  const auto string_base = static_cast<std::uint32_t>(k_header_size + entries.size() * k_entry_size);
  const std::size_t extension_offset = (string_base + strings.size() + 3) / 4 * 4;

  std::string out = "glibc-ld.so.cache1.1";
  append32(out, static_cast<std::uint32_t>(entries.size()));
  append32(out, static_cast<std::uint32_t>(strings.size()));
  out += static_cast<char>(k_flags_little_endian);
  out.append(3, '\0');
  append32(out, static_cast<std::uint32_t>(extension_offset));
  out.append(12, '\0');
  for (const LdCacheEntry& entry : entries) {
    append32(out, static_cast<std::uint32_t>(entry.flags));
    append32(out, string_base + offsets.at(entry.soname));
    append32(out, string_base + offsets.at(entry.path));
    append32(out, 0);     // osversion: ldconfig 2.36 no longer records the ABI note
    out.append(8, '\0');  // hwcap: no legacy hwcap or glibc-hwcaps subdirectory entries
  }
  out += strings;
  out.resize(extension_offset, '\0');

  // The directory with one section, then its data; ldconfig writes the glibc-hwcaps
  // section only when such subdirectories hold libraries.
  constexpr std::uint32_t directory_size = 8 + 16;
  append32(out, k_extension_magic);
  append32(out, 1);
  append32(out, 0); // cache_extension_tag_generator
  append32(out, 0);
  append32(out, static_cast<std::uint32_t>(extension_offset) + directory_size);
  append32(out, static_cast<std::uint32_t>(generator.size()));
  out += generator;
  return out;
}

} // namespace compose::unpack
