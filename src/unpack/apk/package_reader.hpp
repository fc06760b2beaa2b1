// Reading one v2 .apk: splitting its gzip members, checking it against its index record
// (S:, C:, datahash, per-file checksums) and turning the data tar into checked entries.
// Nothing here touches the Tree; the installer commits entries only after this succeeded.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "repo/apk/index.hpp"
#include "stage/tree.hpp"
#include "unpack/decoded_data.hpp"
#include "verify/keyring.hpp"

namespace compose::unpack::apk {

// .PKGINFO (apk-format §5.3). Lists keep file order; repeatable keys collect every value.
struct PackageInfo {
  std::string name, version, description, url, packager, arch, origin, commit, maintainer,
      license, datahash;
  std::int64_t build_time = 0;
  std::uint64_t size = 0;
  std::optional<int> provider_priority;
  int replaces_priority = 0;
  std::vector<std::string> replaces, depends, provides, install_if, triggers;
};

// Parses `key = value` lines; throws Error naming `where` and the line for malformed ones.
PackageInfo parse_pkginfo(std::string_view text, const std::string& where);

// One entry of the data tar after the checks of apk-format §5.5.
struct DataEntry {
  std::string path;                 // normalised, relative, no trailing '/'
  stage::FileType type = stage::FileType::regular;
  std::string hard_link_to;         // set for hard links: an earlier path of this package
  std::uint32_t mode = 0;           // mode & 07777 from this entry's own header
  std::uint32_t uid = 0, gid = 0;   // numeric header values (fallback for names)
  std::string uname, gname;
  std::int64_t mtime = 0;
  std::uint32_t device_major = 0, device_minor = 0;
  stage::Content content;           // regular files
  std::string symlink_target;
  std::map<std::string, std::string> xattrs;
  std::string checksum;             // the installed db Z: value; empty for dirs and devices
};

// Control scripts in apk's action order.
inline constexpr std::string_view k_script_actions[] = {
    ".pre-install", ".post-install", ".pre-deinstall", ".post-deinstall",
    ".pre-upgrade", ".post-upgrade", ".trigger"};

struct ApkPackage {
  std::string file_name;    // "busybox-1.36.1-r15.apk", the start of every error place
  std::string identity;     // "Q1" + base64(SHA-1(control member)), equal to the index C:
  bool signed_member = false; // the file began with a .SIGN.* member
  std::string signed_by;      // the trusted key whose signature verified, when checked
  PackageInfo info;
  std::map<std::string, std::string> scripts; // ".post-install" -> text
  std::vector<DataEntry> entries;             // archive order, skipped names removed
};

// How a package's own signature (.SIGN.RSA*.<key> over its control member) is judged.
struct SignaturePolicy {
  const verify::Keyring* keys = nullptr; // null: not checked
  // Locked and bundle builds: the package must carry a signature that verifies with a
  // trusted key. Otherwise (an index-driven build, whose signed index pins the control
  // member by C:), an unsigned package or one signed only by keys the recipe does not trust
  // is accepted on the index's word, but a signature by a trusted key that does not verify
  // is always an error.
  bool required = false;
};

// Checks size, C:, the package's signature (as `signature` says) and datahash over the
// compressed bytes; returns the byte offset where the data members start and the parsed
// .PKGINFO/scripts (entries are left empty).
ApkPackage check_package_bytes(std::string_view bytes, const repo::apk::Package& record,
                               std::size_t& data_offset, const SignaturePolicy& signature = {});

// check_package_bytes, then inflates the data members once and checks every entry.
// Throws Error at "<P>-<V>.apk: <member>" for the first problem found.
ApkPackage read_package(std::string_view bytes, const repo::apk::Package& record,
                        const SignaturePolicy& signature = {});
// The same with the inflated data tar from `cache`, decoded once per package and keyed by
// the datahash just checked against the bytes: the entries' contents are references into it.
ApkPackage read_package(std::string_view bytes, const repo::apk::Package& record,
                        const SignaturePolicy& signature, DecodedCache& cache);

} // namespace compose::unpack::apk
