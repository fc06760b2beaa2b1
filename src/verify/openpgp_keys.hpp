// The OpenPGP keys an apt build trusts: each named key file located like any trusted key
// (keys directories, cache, official URL), checked against its pins (the file's SHA-256
// when given, and the primary fingerprints it must contain), and loaded into one keyring.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "verify/keyring.hpp"
#include "verify/openpgp.hpp"

namespace compose::verify {

struct OpenPgpTrust {
  OpenPgpKeyring keyring;
  // Signatures count only from these primary keys: the union of the named keys' pins
  // (a system keyring holds more keys than a recipe should trust).
  std::vector<std::string> pinned;
  std::vector<std::pair<std::string, std::string>> files; // name -> bytes, for the image
};

// Throws Error when a name is not an OpenPGP key of the trust configuration, a copy does
// not match its SHA-256 pin, or holds none of its pinned fingerprints.
// `kind`: "openpgp" for repository keys, "openpgp-signer" for bundle and lock signers.
OpenPgpTrust load_openpgp_keys(const TrustConfig& trust, const std::vector<std::string>& names,
                               const KeyLookup& lookup, const std::string& kind = "openpgp");

} // namespace compose::verify
