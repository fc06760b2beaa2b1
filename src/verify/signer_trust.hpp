// Whom the user trusts to sign compose's own artifacts (bundles, locks): anchors named on the
// command line, never keys that travel with the artifact. A bundle that carries its own
// key and signs itself proves nothing; its signer must be a key the user already holds.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "verify/openpgp.hpp"

namespace compose::verify {

struct SignerAnchors {
  std::vector<std::string> fingerprints;       // --signed-by: primary key fingerprints
  std::vector<std::filesystem::path> keyrings; // --signer-keyring: public key files
  // --trust-dir: a trust configuration whose [[key]] entries of kind "openpgp-signer" name
  // signers (their key files beside the *.toml, or in keys_dirs).
  std::filesystem::path trust_dir;
  std::vector<std::filesystem::path> keys_dirs;
  bool empty() const { return fingerprints.empty() && trust_dir.empty(); }
};

struct SignerTrust {
  OpenPgpKeyring keyring;
  std::vector<std::string> accepted; // primary fingerprints whose signatures count, sorted
};

// A fingerprint as typed ("ABCD 1234…", "0xabcd…") -> 40 or 64 lower-case hex digits.
// Throws UsageError for anything else.
std::string normalize_fingerprint(const std::string& text);

// Loads the anchors: --signed-by fingerprints (each must be found in the keyrings or the
// trust configuration's signer keys), else every signer the trust configuration pins.
// Throws Error when a keyring cannot be read, a named fingerprint has no key, or nothing
// names a signer.
SignerTrust load_signer_trust(const SignerAnchors& anchors);

// Checks a detached signature over `data` (`what`: "the bundle manifest", "the lock") and
// returns what was verified (the signer's primary fingerprint, the signature's time and the
// key's validity). Throws Error naming `where` and saying whose
// signature it was when it is not a good one by an accepted signer.
VerifiedText verify_signer(const std::string& data, const std::string& signature,
                           const SignerTrust& trust, const std::string& what,
                           const std::string& where);

} // namespace compose::verify
