// Installing verified .deb files into the Tree and making the result a working Debian or
// Ubuntu system without running maintainer scripts: merged-/usr links first, every package
// unpacked in plan order, then the dpkg database (so dpkg -l and apt work in the image) and
// the effects of the maintainer scripts (users and groups, alternatives, the CA bundle,
// capabilities, /etc/shells, statoverrides, base-files' and tzdata's files). Every script
// effect that is not reproduced is reported.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "repo/deb/packages_index.hpp"
#include "stage/tree.hpp"
#include "unpack/decoded_data.hpp"

namespace compose::unpack::deb {

using unpack::DecodedCache;

struct PackageFile {
  const repo::deb::Package* package; // from the plan
  std::filesystem::path file;        // fetched .deb, size and SHA-256 already checked
  std::string sha256;                // that SHA-256: the key of its decoded data
};

struct InstallOptions {
  std::string architecture; // dpkg's native architecture ("amd64")
  std::int64_t epoch = 0;   // SOURCE_DATE_EPOCH: mtimes and shadow "last change" days
  bool merged_usr = true;   // bin, sbin, lib, lib32, lib64, libx32 -> usr/… before unpacking
  // Files written as they are (apt sources and keyrings for apt inside the image):
  // path relative to the root -> bytes, mode 0644.
  std::vector<std::pair<std::string, std::string>> extra_files;
  // Where each package's data tar is decoded once and kept; null: spill files in TMPDIR.
  DecodedCache* decoded_cache = nullptr;
};

struct ScriptReport {
  std::string package; // "openssh-server"
  std::string script;  // "postinst"
  std::string status;  // "reproduced" | "not reproduced" | "not needed"
  std::string detail;  // what was done, or what was left out
};

struct InstallReport {
  std::vector<ScriptReport> scripts;
  std::vector<std::string> warnings;
};

// `packages` in plan order (dependencies first). Throws Error naming the package file for
// any bad archive or conflicting file; the tree is then not usable.
InstallReport install(const std::vector<PackageFile>& packages, const InstallOptions& options,
                      stage::Tree& tree);

} // namespace compose::unpack::deb
