// The verified inputs of a Debian or Ubuntu build: for every repository, suite and
// component of the recipe, the signed Release (InRelease, else Release + Release.gpg)
// checked against that repository's own pinned keys, and the Packages index it pins by
// SHA-256, decompressed and parsed.
#pragma once

#include <string>
#include <vector>

#include "fetch/fetch.hpp"
#include "pipeline/build.hpp"
#include "pipeline/debian_release.hpp"
#include "repo/deb/packages_index.hpp"
#include "repo/deb/release_file.hpp"
#include "verify/openpgp_keys.hpp"

namespace compose::pipeline {

struct AptIndex {
  std::string base_url;        // repository root, no trailing '/'
  std::string suite, component;
  std::string release_url;     // InRelease (or Release) as fetched
  std::string release_sha256;  // of that file
  std::string signature_url;   // Release.gpg when the Release was signed detached, else ""
  std::string signature_sha256;
  std::string signed_by;       // primary fingerprint of the accepted signature
  std::string packages_url;    // the Packages file, as listed in the Release
  std::string packages_sha256;
  std::string packages_path;   // below dists/<suite>/, as the Release lists it
  std::uint64_t packages_size = 0;
  // Packages files the Release lists that were preferred but missing on the mirror, in
  // apt's order ("main/binary-amd64/Packages.xz (URL: HTTP 404)"); empty normally.
  std::vector<std::string> packages_missing;
  std::int64_t release_date = 0; // the signed Date
  int priority = 500;
  std::vector<repo::deb::Package> packages; // Package::index = position in the list
  std::string description() const; // "file:///m bookworm/main"
};

// An index of `component` as `release` (verified) describes it; the Packages fields are the
// caller's, once it has chosen and checked that file.
AptIndex apt_index_of(const SignedRelease& release, const std::string& base_url,
                      const std::string& suite, const std::string& component, int priority);

struct DebianSources {
  std::vector<AptIndex> indexes; // recipe order: repository, suite, component
  std::vector<std::string> keys; // trusted key names that were loaded
  // Key files (name -> bytes) per repository, to write into the image for apt.
  std::vector<std::vector<std::pair<std::string, std::string>>> key_files;
  std::vector<std::string> overrides; // explicit verification overrides that were used
  // Already printed while loading (skipped stanzas, a Packages file missing on the mirror);
  // the build report lists them.
  std::vector<std::string> warnings;
};

// Each repository's trusted OpenPGP keys (recipe order), checked against their pins; fills
// sources.keys and sources.key_files. Throws Error as verify::load_openpgp_keys does.
std::vector<verify::OpenPgpTrust> load_debian_keys(const recipe::Recipe& recipe,
                                                  const BuildOptions& options,
                                                  fetch::Fetcher& fetcher, DebianSources& sources);

// Throws Error naming the URL for a missing or bad signature, a Release for another suite,
// an expired Valid-Until (unless options.allow_expired_release), a component or
// architecture the Release does not list, a Packages file whose size or SHA-256 differs
// from the Release, and when no Packages file the Release lists is on the mirror (a missing
// .xz falls back to .gz, then plain, as apt does; see debian_index_fetch.hpp).
DebianSources load_debian_sources(const recipe::Recipe& recipe, const BuildOptions& options,
                                  fetch::Fetcher& fetcher);

} // namespace compose::pipeline
