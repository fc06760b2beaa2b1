// Reading a .deb: the ar container (debian-binary, control.tar.*, data.tar.*) with bounds
// checks, the control members in memory, and the data tar decompressed once (gz, xz, zst,
// bz2, lzma or plain, through libarchive).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "repo/deb/control_file.hpp"
#include "unpack/decoded_data.hpp"

namespace compose::unpack::deb {

struct ControlMember {
  std::string bytes;
  std::uint32_t mode = 0644;
};

struct DebArchive {
  repo::deb::Paragraph control;                 // ./control, parsed
  std::string control_text;                     // ./control as shipped
  // Every other regular file of control.tar by bare name: "md5sums", "conffiles",
  // "preinst", "postinst", "prerm", "postrm", "config", "templates", "triggers",
  // "shlibs", "symbols", …
  std::map<std::string, ControlMember> control_files;
  std::string data_member; // "data.tar.xz", for messages
  std::string data_tar;    // the uncompressed data.tar bytes (read_deb), or
  DecodedData data;        // the data tar in a decoded-cache entry or spill file, parsed
};

// Throws Error naming `where` (the .deb's file name) and the member for: a bad ar magic or
// member header, a size beyond the file (truncation), members out of dpkg's order, an
// unknown member before data, two control members, debian-binary other than "2.x\n", an
// unknown compression suffix, a corrupt compressed stream, control.tar without ./control.
DebArchive read_deb(const std::string& bytes, const std::string& where);
DebArchive read_deb_file(const std::filesystem::path& file, const std::string& where);
// The same with the data tar from `cache` (decoded once per package; `sha256` is the .deb's
// verified digest): DebArchive::data is set, data_tar stays empty.
DebArchive read_deb_file(const std::filesystem::path& file, const std::string& where,
                         const std::string& sha256, DecodedCache& cache);

} // namespace compose::unpack::deb
