// apk v2 signatures (apk.md §3, §5.1): a gzip member holding a tar fragment of
// ".SIGN.<ALG>.<key-file-name>" entries, each an RSA PKCS#1 v1.5 signature over the digest of
// the signed bytes: an APKINDEX's data member(s), a package's control member. One reader and
// one verifier for both, so an index and a package are judged by the same rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "verify/keyring.hpp"

namespace compose::repo::apk {

struct SignatureEntry {
  std::string algorithm; // "RSA" (SHA-1), "RSA256", "RSA512"
  std::string key_name;  // the key file name the signer used
  std::string signature;
};

// The entries of an inflated signature member (a tar fragment without end blocks). Throws
// Error naming `where` for a corrupt or truncated header, an entry that is not .SIGN.*, or
// a key name that is not a plain file name.
std::vector<SignatureEntry> read_signature_entries(const std::string& fragment,
                                                   const std::string& where);

// True when the inflated first member of a file is a signature member.
bool is_signature_member(std::string_view inflated);

struct SignatureVerdict {
  std::string signer;                 // the trusted key whose signature verified, or ""
  // Trusted keys whose signature did not verify, and "KEY (unsupported ALG)" entries.
  std::vector<std::string> failed;
  std::vector<std::string> untrusted; // key names not in the keyring
};

// Checks every entry against `keys` until one verifies over `signed_bytes`. DSA and unknown
// algorithms never verify.
SignatureVerdict verify_signatures(const std::vector<SignatureEntry>& entries,
                                   std::string_view signed_bytes, const verify::Keyring& keys);

// ", "-joined, for messages ("a, b"; quoted: "'a', 'b'").
std::string key_list(const std::vector<std::string>& names, bool quoted = false);

} // namespace compose::repo::apk
