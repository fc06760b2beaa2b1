// Test fixtures: tar bytes built by hand (ustar headers, PAX records), so the fixtures have
// exactly the layout abuild gives real Alpine packages and indexes.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace compose::testing {

struct TarItem {
  std::string path;
  char type = '0';          // '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo
  std::string content;      // files
  std::string link;         // symlink target or hard link target
  std::uint32_t mode = 0644;
  std::uint32_t uid = 0, gid = 0;
  std::string uname = "root", gname = "root";
  std::int64_t mtime = 0;
  std::uint32_t devmajor = 0, devminor = 0;
  std::map<std::string, std::string> pax; // extra PAX records (key -> raw value)
};

// A regular file item owned by root.
TarItem file_item(std::string path, std::string content, std::uint32_t mode = 0644);

// Header(s) and padded content of one item. PAX header first when pax records are given or
// the path/link does not fit the ustar fields.
std::string tar_item(const TarItem& item);
// Two 512-byte zero blocks, then zero padding to a multiple of `record` bytes.
std::string tar_end(std::size_t archive_size_so_far, std::size_t record = 10240);

// gzip member of `bytes` (zlib level 9, mtime 0, as `gzip -n -9`).
std::string gzip_member(const std::string& bytes);

} // namespace compose::testing
