// The build: recipe -> repositories -> verify -> resolve -> fetch -> unpack -> emit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fetch/fetch.hpp"
#include "lock/lock_file.hpp"
#include "recipe/recipe.hpp"
#include "util/log.hpp"

namespace compose::pipeline {

struct BuildOptions {
  std::filesystem::path out_dir = "out";
  std::filesystem::path trust_dir;              // the keys/ trust configuration
  std::vector<std::filesystem::path> keys_dirs; // where key material is looked up first
  std::optional<std::int64_t> epoch;            // SOURCE_DATE_EPOCH
  // A locked build: the packages, repositories and epoch come from this lock (checked
  // against the recipe first), nothing is resolved.
  const lock::LockFile* lock = nullptr;
  std::string lock_where; // the lock's file, for messages
  // apt's Check-Valid-Until=false: accept signed Release files past their Valid-Until
  // (snapshots, air-gapped mirrors). Explicit, and recorded in the build report.
  bool allow_expired_release = false;
  // Accept a signature by an OpenPGP key that has expired since it signed, in an
  // index-driven build (a locked build only warns). Explicit, and recorded in the report.
  bool allow_expired_key = false;
  // Overrides the caller accepted before the build (--trust-bundle-keys), reported with the
  // build's own in result.json's verification_overrides.
  std::vector<std::string> overrides;
  // Warnings from checks before the build (a bundle or lock signed by a key that has expired
  // since), reported with the build's own in result.json's warnings.
  std::vector<std::string> warnings;
  // Whose signatures vouched for the inputs, for the report: the lock's verified signer
  // (--lock-signed-by), and the bundle built from (--from-bundle) with its verified signer.
  std::string lock_signer;
  struct BundleOrigin {
    std::string file;   // its file name
    std::string sha256; // of the bundle file
    std::string signer; // primary fingerprint; empty when --trust-bundle-keys stood in
  };
  std::optional<BundleOrigin> bundle;
  fetch::Options fetch;
  // Layer compression threads; the outputs are the same bytes for any count.
  unsigned threads = 2;
  Log* log = nullptr;
};

struct OutputFile {
  std::string kind; // "rootfs-tar", "oci", "ext4", "spdx", "cyclonedx", "result"
  std::filesystem::path path;
  std::string sha256;
  std::uint64_t size = 0;
  std::map<std::string, std::string> details; // OCI: manifest, config, layer digests, …
};

struct Artifacts {
  std::vector<OutputFile> outputs; // as placed in out_dir
  std::vector<std::string> warnings;
};

// Runs the whole build. Outputs appear in out_dir only when everything succeeded; on any
// error nothing is left there. Throws Error.
Artifacts build(const recipe::Recipe& recipe, const BuildOptions& options);

} // namespace compose::pipeline
