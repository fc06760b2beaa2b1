// Unpacking data.tar of each package into the Tree the way dpkg does: parents resolved
// through symlinks already in the tree (merged /usr), an existing symlink to a directory
// kept when the package ships a directory, owners resolved by name against the staged
// /etc/passwd and /etc/group (numeric fallback), and file conflicts between packages
// rejected unless Replaces allows them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "repo/deb/packages_index.hpp"
#include "stage/tree.hpp"
#include "unpack/deb/deb_archive.hpp"

namespace compose::unpack::deb {

struct UnpackedPackage {
  const repo::deb::Package* package = nullptr; // the index record (Filename, SHA256, …)
  DebArchive archive;                          // control members; data_tar may be cleared
  // Paths in data.tar order as the .list file writes them: "/." first, then "/bin",
  // "/bin/dash", … ('./' -> '/', no trailing '/'). A file kept because its owner Replaces
  // this package is left out, as dpkg leaves it out.
  std::vector<std::string> paths;
  // Files of earlier packages this one took over through Replaces: earlier package name ->
  // the paths as that package's .list wrote them (dpkg drops them from that list).
  std::map<std::string, std::vector<std::string>> replaced_paths;
};

class Unpacker {
public:
  Unpacker(stage::Tree& tree, std::int64_t epoch);

  // Checks every entry first (no "..", no absolute or empty names, no hard link to a path
  // outside the package, no device nodes outside dev/), then adds them. Throws Error naming
  // the package file and the path; on error the tree is unchanged. A regular file or symlink
  // another unpacked package already owns is an error unless this package Replaces it
  // (then ownership moves). Directories are shared. data_tar is released afterwards.
  UnpackedPackage unpack(const repo::deb::Package& package, DebArchive archive,
                         const std::string& where);

  // Which package owns a non-directory path ("usr/bin/awk"), "" when none.
  std::string owner_of(const std::string& path) const;

private:
  // dpkg's does_replace: `package` names `other` in Replaces and the unpacked version of
  // `other` satisfies the relation.
  bool replaces(const repo::deb::Package& package, const std::string& other) const;
  // The reverse: an unpacked `owner` Replaces `package` (then the owner's file stays).
  bool replaced_by(const std::string& owner, const repo::deb::Package& package) const;

  stage::Tree& m_tree;
  std::int64_t m_epoch;
  std::map<std::string, std::string> m_owners;      // resolved tree path -> package name
  std::map<std::string, std::string> m_owner_paths; // resolved tree path -> the owner's .list path
  std::map<std::string, std::string> m_versions;    // unpacked package -> its version
  // Unpacked package -> its Replaces, for files a later package ships.
  std::map<std::string, std::vector<repo::deb::Relation>> m_replaces;
};

} // namespace compose::unpack::deb
