// A small reader for ustar/pax/GNU tar held in memory or in a file. apk needs what
// libarchive does not hand out: every PAX key of an entry (APK-TOOLS.checksum.SHA1), and tar
// fragments that end without the two zero blocks (the signature and control members of an
// .apk); the decoded-package cache needs contents left in the file, by offset.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace compose {
class Hasher;
}

namespace compose::unpack {

struct TarEntry {
  std::string name;     // as stored (PAX path / GNU long name / ustar prefix + name)
  std::string linkname; // hard link target or symlink text
  char type = '0';      // ustar typeflag; '\0' is reported as '0'
  std::uint32_t mode = 0; // permission bits as stored (the reader masks nothing)
  std::uint32_t uid = 0, gid = 0;
  std::string uname, gname;
  std::int64_t mtime = 0;
  std::uint32_t device_major = 0, device_minor = 0;
  std::map<std::string, std::string> pax;    // every PAX key of this entry (and globals)
  std::map<std::string, std::string> xattrs; // SCHILY.xattr.<name> -> raw bytes
  std::string_view content;                  // regular files: the bytes, into the input
  std::uint64_t content_offset = 0;          // regular files: where the bytes start
  std::uint64_t size = 0;                    // regular files: how many
};

// Calls `visit` for each entry, in archive order. Stops at the end-of-archive block or
// at the end of the input (fragments). Throws Error naming `where` and the byte offset
// for a bad header checksum, a bad number, a malformed PAX record or a truncated entry.
void read_tar(std::string_view bytes, const std::string& where,
              const std::function<void(const TarEntry&)>& visit);

// read_tar over an open file of `size` bytes, read front to back with pread through a small
// window: contents are not read into memory (TarEntry::content stays empty; content_offset
// and size say where they are). Every byte of the file, to its end, passes `hasher` when one
// is given, so the caller checks a digest of the whole file in the same pass; without one
// only the headers are read (a file just written needs no second pass over its contents).
void read_tar_file(int fd, std::uint64_t size, const std::string& where, Hasher* hasher,
                   const std::function<void(const TarEntry&)>& visit);

} // namespace compose::unpack
