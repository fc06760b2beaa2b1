// StagedSystem: what the distribution-specific part of a build hands to the emitters and
// the report: the tree plus verified facts about every installed package and repository.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stage/tree.hpp"

namespace compose::pipeline {

struct InstalledPackage {
  std::string name, version, architecture;
  std::string license, origin, homepage, supplier, description;
  std::string repository;   // index URL it was resolved from
  std::string download_url; // the file it was installed from
  std::uint64_t size = 0;   // of the package file
  std::string sha256;       // of the package file
  std::map<std::string, std::string> checksums; // format-specific ("apk-identity": "Q1…")
  std::vector<std::string> depends;              // as written in the index
  // The installed packages that satisfy `depends`, by name, sorted, each once (the SBOMs'
  // dependency edges). Filled by the distribution pipelines.
  std::vector<std::string> depends_on;
  std::string reason;                            // why the resolver chose it
};

struct RepositoryUse {
  std::string index_url;
  std::string index_sha256;
  std::string signed_by;
  std::string description;
  // Debian/Ubuntu: the Packages file read, below dists/<suite>/ ("main/binary-amd64/
  // Packages.xz"), and the ones preferred to it that were not on the mirror.
  std::string packages_file = {};
  std::vector<std::string> packages_missing = {};
};

struct ScriptEffect {
  std::string package, script, status, detail;
};

struct StagedSystem {
  stage::Tree tree;
  std::vector<InstalledPackage> packages; // install order
  std::vector<RepositoryUse> repositories;
  std::vector<std::string> keys;          // trusted key names that were loaded
  std::vector<std::string> world;         // what the recipe asked for
  std::vector<std::string> warnings;
  // Verification overrides the user asked for (e.g. an expired Valid-Until accepted).
  std::vector<std::string> overrides;
  std::vector<ScriptEffect> scripts;
  std::int64_t epoch = 0; // SOURCE_DATE_EPOCH, else the newest package build time
  std::string inputs_digest; // SHA-256 over the recipe digest and every package's digest
  // Canonical URL -> the mirror (from the recipe's `urls`) that served it, for the files the
  // first mirror did not serve; the report names them, the image does not.
  std::map<std::string, std::string> served_elsewhere;
};

} // namespace compose::pipeline
