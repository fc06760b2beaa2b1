// The apk 2.14 installed database (apk-format §8): /lib/apk/db/installed, scripts.tar and
// triggers, produced as bytes from what the installer recorded. apk inside the image reads
// these to know what is installed; C: must equal the index so upgrades recognise packages.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "repo/apk/index.hpp"

namespace compose::unpack::apk {

struct Permissions {
  std::uint32_t uid = 0, gid = 0, mode = 0;
  std::string xattr_hash; // "Q1…" or empty
};

struct InstalledFile {
  std::string name;     // base name within its directory
  Permissions permissions;
  std::string checksum; // Z: value, empty for devices and FIFOs
};

struct InstalledDirectory {
  std::string path; // without leading '/'; "" is the root
  Permissions permissions{0, 0, 0755, {}};
  std::vector<InstalledFile> files; // archive order
};

struct InstalledPackage {
  repo::apk::Package record;          // the index header (C: … i:)
  std::vector<std::string> replaces;  // r:
  int replaces_priority = 0;          // q:
  bool broken_files = false;          // f:f, files apk left out (no directory entry)
  std::vector<InstalledDirectory> directories; // order of first appearance
  std::map<std::string, std::string> scripts;  // ".post-install" -> text
  std::vector<std::string> triggers;           // .PKGINFO triggers globs
};

// Q1 + base64(SHA-1) over the xattrs sorted by name, each as a 4-byte big-endian name
// length, the name, a 4-byte big-endian value length and the value. Empty map: "".
std::string xattr_hash(const std::map<std::string, std::string>& xattrs);

// Records sorted by name, then version; each ends with an empty line.
std::string installed_text(const std::vector<InstalledPackage>& packages);
// Plain tar as apk 2.14 writes it: GNU headers, one entry per script "<P>-<V>.<C>.<action>"
// (cut to 99 bytes), in install order, two zero blocks at the end.
std::string scripts_tar(const std::vector<InstalledPackage>& packages);
// "<C> <glob>…" for each package with .PKGINFO trigger globs, in install order.
std::string triggers_text(const std::vector<InstalledPackage>& packages);

} // namespace compose::unpack::apk
