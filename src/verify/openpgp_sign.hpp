// Detached OpenPGP signatures made with librnp, for compose's own artifacts (bundle
// manifests, lock files): the producer signs, and whoever builds checks the signature
// against keys they name themselves (verify/signer_trust.hpp).
#pragma once

#include <filesystem>
#include <string>

namespace compose::verify {

struct DetachedSignature {
  std::string armored;     // "-----BEGIN PGP SIGNATURE-----" … (SHA-256)
  std::string signer;      // primary key fingerprint, lower-case hex
  std::string signing_key; // the (sub)key that made it
};

// Signs `data` with the first valid signing-capable secret key (primary, else subkey) in
// `secret_key_file` (armored or binary, as `gpg --export-secret-keys` writes it). A protected
// key is unlocked with the first line of `passphrase_file`, when one is given. The signature
// time is the current time: it states when the producer signed. Throws Error naming the key
// file when it holds no usable secret key or the passphrase does not unlock it.
DetachedSignature sign_detached(const std::string& data,
                                const std::filesystem::path& secret_key_file,
                                const std::filesystem::path& passphrase_file = {});

} // namespace compose::verify
