// Whose bundle is this? The producer's signature over manifest.json (which lists every other
// member's digest), checked against signers the user names from outside the bundle. Before
// this check, a bundle's own trust/ and keys/ vouched for it: a crafted bundle with its own
// key, repository, recipe and lock passed. Now an unsigned bundle, or one signed by a key
// the user does not hold, is refused unless the user says --trust-bundle-keys, which the
// build report records.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "verify/signer_trust.hpp"

namespace compose::pipeline {

struct BundleTrust {
  verify::SignerAnchors anchors; // --signed-by, --signer-keyring, --trust-dir
  bool trust_bundle_keys = false; // --trust-bundle-keys: no signature required
};

struct BundleSignature {
  std::string signer;        // primary fingerprint of the verified signer; empty: none checked
  std::string override_note; // --trust-bundle-keys: what was accepted without a signature
  std::vector<std::string> warnings; // the signer's key has expired since it signed
};

// `directory`: the bundle unpacked (bundle::unpack_bundle), `bundle`: its file, for messages.
// Throws Error when no anchor is named (and no override), when the bundle is unsigned, or
// when its signature is not a good one by an anchored signer; nothing is read but
// manifest.json and manifest.json.asc.
BundleSignature check_bundle_signature(const std::filesystem::path& directory,
                                       const std::string& bundle, const BundleTrust& trust);

} // namespace compose::pipeline
