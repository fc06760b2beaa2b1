// Parses /proc/mounts lines; the kernel writes space, tab, newline and backslash in paths as
// three-digit octal escapes, so they are decoded before a mount point is shown.
#include "boot/mount_table.hpp"

#include <sstream>

namespace compose::boot {

namespace {

bool is_octal(char c)
{
  return c >= '0' && c <= '7';
}

std::string decode_octal_escapes(const std::string& field)
{
  std::string decoded;
  for (std::size_t at = 0; at < field.size(); ++at) {
    if (field[at] == '\\' && at + 3 < field.size() && is_octal(field[at + 1]) &&
        is_octal(field[at + 2]) && is_octal(field[at + 3])) {
      decoded.push_back(static_cast<char>((field[at + 1] - '0') * 64 +
                                          (field[at + 2] - '0') * 8 + (field[at + 3] - '0')));
      at += 3;
    } else {
      decoded.push_back(field[at]);
    }
  }
  return decoded;
}

} // namespace

std::optional<MountEntry> find_mount(const std::string& proc_mounts, std::string_view device)
{
  std::istringstream lines(proc_mounts);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string source;
    MountEntry entry;
    if (!(fields >> source >> entry.mount_point >> entry.type))
      continue;
    if (source == device) {
      entry.mount_point = decode_octal_escapes(entry.mount_point);
      return entry;
    }
  }
  return std::nullopt;
}

} // namespace compose::boot
