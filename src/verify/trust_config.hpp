// TrustConfig: the repository's keys/*.toml, which say which keys compose may trust, where
// each one officially comes from, and the pin (SHA-256 of the key file; OpenPGP keys also
// their fingerprints) that any copy of it must match.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace compose::verify {

struct TrustedKey {
  std::string name;                       // file name, e.g. alpine-devel@…-6165ee59.rsa.pub
  // "apk-rsa" | "openpgp" (signs repository indexes) | "openpgp-signer" (signs compose
  // bundles and locks; never accepted for an index, nor an index key for a bundle)
  std::string kind;
  std::string url;                        // official download location
  std::string sha256;                     // pin: SHA-256 of the key file, lower-case hex
  std::vector<std::string> fingerprints;  // OpenPGP primary key fingerprints
  std::vector<std::string> architectures; // informative
  std::string where;                      // "keys/alpine.toml:12:1"
};

struct TrustConfig {
  std::vector<TrustedKey> keys;
  const TrustedKey* find(std::string_view name) const;
};

// Reads every *.toml in `directory` (sorted by name). Throws Error naming file:line:column
// for malformed files, unknown fields, bad pins and duplicate names.
TrustConfig load_trust_config(const std::filesystem::path& directory);

} // namespace compose::verify
