// CpioArchive: a deterministic "newc" cpio archive (the format the kernel unpacks as an
// initramfs), built in memory from directories, files and symbolic links.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace compose::boot {

enum class CpioType { directory, file, symlink };

struct CpioEntry {
  CpioType type = CpioType::file;
  std::uint32_t permissions = 0644; // permission bits only; the type comes from `type`
  std::string content;              // file data, or a symbolic link's target
};

// Every entry is owned by 0:0 and carries the same mtime, and entries are written sorted by
// name as bytes, so the same inputs give the same archive bytes wherever it is built.
// Names are relative ("bin/busybox"); add() throws Error for an absolute name, a "." or ".."
// component, a duplicate, or a name whose parent directory was not added.
class CpioArchive {
public:
  explicit CpioArchive(std::uint32_t mtime = 0) : m_mtime(mtime) {}

  void add_directory(const std::string& name, std::uint32_t permissions = 0755);
  void add_file(const std::string& name, std::string content, std::uint32_t permissions = 0644);
  void add_symlink(const std::string& name, const std::string& target);

  // The whole archive, TRAILER!!! included.
  std::string bytes() const;
  std::size_t size() const { return m_entries.size(); }

private:
  void add(const std::string& name, CpioEntry entry);
  std::uint32_t m_mtime;
  std::map<std::string, CpioEntry> m_entries;
};

} // namespace compose::boot
