// The guest's serial console as QEMU writes it to a file: searched for markers while the
// guest boots, and its last lines shown when a check fails.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace compose::boot {

class ConsoleLog {
public:
  explicit ConsoleLog(std::filesystem::path path) : m_path(std::move(path)) {}

  // Reads what was appended since the last call.
  void refresh();
  // The first whole line holding `text`, if it appeared.
  std::optional<std::string> find_line(std::string_view text) const;
  // The first whole line starting with `prefix`: a marker the guest printed itself, not an
  // echo of it (the kernel logs its command line, where a direct boot's script is).
  std::optional<std::string> find_line_starting(std::string_view prefix) const;
  // The last `count` lines.
  std::string tail(std::size_t count) const;
  const std::string& text() const { return m_text; }

private:
  std::filesystem::path m_path;
  std::string m_text;
  std::size_t m_read = 0; // bytes of the file read so far
};

} // namespace compose::boot
