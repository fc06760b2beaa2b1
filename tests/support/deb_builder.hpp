// Test fixtures: .deb files built in memory the way dpkg-deb lays them out (deb.md §8): an
// ar archive of debian-binary "2.0\n", control.tar.* and data.tar.*, tars in PAX format
// with "./" names, each tar compressed as chosen. Nothing here reads the host's files.
//
//   compose::test::DebSpec spec;
//   spec.control = "Package: hello\nVersion: 1.0-1\nArchitecture: amd64\n";
//   spec.control_files["postinst"] = "#!/bin/sh\nexit 0\n";   // mode 0755 (a script)
//   spec.data = {deb_dir("./"), deb_dir("./usr/"), deb_dir("./usr/bin/"),
//                deb_file("./usr/bin/hello", "#!/bin/sh\n", 0755)};
//   const std::string bytes = compose::test::make_deb(spec);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace compose::test {

enum class DebCompression { none, gz, xz, zst };

// The member name suffix dpkg-deb uses: none -> "", gz -> ".gz", xz -> ".xz", zst -> ".zst".
std::string deb_suffix(DebCompression compression);
// Compresses `bytes` (gzip without a timestamp, so the output is reproducible).
std::string deb_compress(const std::string& bytes, DebCompression compression);

struct DebEntry {
  enum class Type { directory, file, symlink, hardlink, char_device, fifo };
  std::string path; // exactly as stored in the tar: "./usr/bin/x", "./usr/" (not checked)
  Type type = Type::file;
  std::string
      content; // file: bytes; symlink: link text; hardlink: the earlier path ("./usr/bin/x")
  std::uint32_t mode = 0644;
  std::string uname = "root", gname = "root";
  std::uint32_t uid = 0, gid = 0;
  std::map<std::string, std::string> xattrs;        // "security.capability" -> raw bytes
  std::uint32_t device_major = 0, device_minor = 0; // char_device
};

DebEntry deb_dir(std::string path, std::uint32_t mode = 0755);
DebEntry deb_file(std::string path, std::string content, std::uint32_t mode = 0644);
DebEntry deb_symlink(std::string path, std::string target);
DebEntry deb_hardlink(std::string path, std::string target);
DebEntry deb_char_device(std::string path, std::uint32_t major, std::uint32_t minor,
                         std::uint32_t mode = 0666);
DebEntry deb_fifo(std::string path, std::uint32_t mode = 0644);
// Sets the owner of an entry by name and number: deb_owned(deb_file(...), "root", 0, "shadow", 42).
DebEntry deb_owned(DebEntry entry, std::string uname, std::uint32_t uid, std::string gname,
                   std::uint32_t gid);

// A minimal control paragraph: Package, Version, Architecture, Maintainer, Description, then
// `extra` lines as given ("Replaces: foo (<< 2)\n").
std::string deb_control(const std::string& name, const std::string& version,
                        const std::string& extra = {});

struct DebSpec {
  std::string control; // ./control text; omitted from control.tar when empty
  // Other control members by bare name ("md5sums", "postinst"); scripts (preinst, postinst,
  // prerm, postrm, config) get mode 0755, the rest 0644.
  std::map<std::string, std::string> control_files;
  std::vector<DebEntry> data; // in tar order
  DebCompression control_compression = DebCompression::xz;
  DebCompression data_compression = DebCompression::xz;
};

// The uncompressed tars, for tests that assemble members themselves.
std::string deb_control_tar(const DebSpec& spec);
std::string deb_data_tar(const std::vector<DebEntry>& entries);

struct ArMemberSpec {
  std::string name; // written as is, space padded to 16 bytes
  std::string data;
};
// An ar archive: "!<arch>\n", then per member a 60-byte header (mtime 0, uid 0, gid 0, mode
// 100644, decimal size) and the data padded with '\n' to an even length. The first member's
// header starts at byte 8 (its size field at byte 8 + 48).
std::string make_ar(const std::vector<ArMemberSpec>& members);

// The .deb: debian-binary "2.0\n", control.tar<suffix>, data.tar<suffix>.
std::string make_deb(const DebSpec& spec);

} // namespace compose::test
