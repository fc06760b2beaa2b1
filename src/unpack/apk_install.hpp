// Installing verified .apk files into the Tree, and making the result a working Alpine
// system without running package scripts: the apk database, busybox applet links,
// users and groups the scripts would create. Script effects we do not reproduce are
// reported, never silently dropped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "repo/apk/index.hpp"
#include "stage/tree.hpp"
#include "unpack/apk/package_reader.hpp"

namespace compose::unpack::apk {

struct PackageFile {
  const repo::apk::Package* package;   // from the plan
  const repo::apk::Repository* origin; // repository it came from
  std::filesystem::path file;          // fetched, size-checked .apk
};

struct InstallOptions {
  std::vector<std::string> world;        // /etc/apk/world lines
  std::vector<std::string> repositories; // /etc/apk/repositories lines
  std::string architecture;              // /etc/apk/arch
  // Trusted apk keys copied to /etc/apk/keys/<name> (file name -> PEM bytes).
  std::vector<std::pair<std::string, std::string>> keys;
  // Build time (SOURCE_DATE_EPOCH): mtime of what compose creates, and the "last password
  // change" day busybox adduser writes into /etc/shadow.
  std::int64_t epoch = 0;
  // Each package's own signature, checked as it is read (package_reader.hpp).
  SignaturePolicy signature;
  // Where each package's data tar is inflated once and kept; null: spill files in TMPDIR.
  DecodedCache* decoded_cache = nullptr;
};

struct ScriptReport {
  std::string package;     // "dbus-1.14.10-r0"
  std::string script;      // ".pre-install"
  std::string status;      // "reproduced" | "not reproduced"
  std::string detail;      // what was done or what was left out
};

struct InstallReport {
  std::vector<ScriptReport> scripts;
  std::vector<std::string> warnings; // also printed by the caller
};

// Checks each file against its index record before anything reaches the tree:
// S: size, SHA-1 of the control member == C:, SHA-256 of the data == .PKGINFO datahash,
// per-file APK-TOOLS.checksum values; rejects path traversal and writes through
// symlinks. Throws Error naming the package file and member.
//
// `packages` must be in install order (dependencies first: alpine-baselayout-data before
// packages whose files name its users). Per package: verify everything, check paths and
// file ownership (apk-format §5.5) against the tree, reproduce .pre-install, add the
// files (owners resolved by name against the staged /etc/passwd and /etc/group, including
// the package's own copies), reproduce .post-install. Then triggers, busybox applet links,
// the installed database and the `apk add --initdb` extras (tmp, dev nodes, var/cache).
// A package that fails a check leaves the tree as it was before that package.
InstallReport install(const std::vector<PackageFile>& packages, const InstallOptions& options,
                      stage::Tree& tree);

// Verifies an .apk file against its index record (and its signature, as `signature` says)
// without unpacking the data (used as the fetch validator so that a bad download never
// enters the cache).
void check_package_file(const std::filesystem::path& file, const repo::apk::Package& package,
                        const SignaturePolicy& signature = {});

} // namespace compose::unpack::apk
