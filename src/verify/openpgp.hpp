// OpenPGP verification of apt repository metadata (InRelease, Release + Release.gpg) with
// librnp: we never parse OpenPGP packets ourselves. Only the text that the signature covers is
// returned, so nothing outside the signed block can reach a parser.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace compose::verify {

// Public keys (binary or ASCII-armored keyrings) loaded into one librnp context.
class OpenPgpKeyring {
public:
  OpenPgpKeyring();
  ~OpenPgpKeyring();
  OpenPgpKeyring(OpenPgpKeyring&&) noexcept;
  OpenPgpKeyring& operator=(OpenPgpKeyring&&) noexcept;

  // Throws Error naming `where` when the bytes hold no usable public key.
  void add(const std::string& key_bytes, const std::string& where);
  std::vector<std::string> primary_fingerprints() const; // lower-case hex, sorted

  struct Impl;
  Impl& impl() const { return *m_impl; }

private:
  std::unique_ptr<Impl> m_impl;
};

struct SignatureCheck {
  std::string status;              // "good", "bad", "unknown key", "expired", "weak digest", "not pinned"
  std::string key_fingerprint;     // signing (sub)key, when known
  std::string key_id;              // the issuer key id the signature names (16 hex digits)
  std::string primary_fingerprint; // its primary key, when known
  std::string hash;                // "SHA256", …
  std::int64_t created = 0;
  // When the signing key's validity ends (expiry, or the primary's), as the keyring says
  // now; 0: it does not expire. librnp judges a signature at its own creation time, so a
  // good signature may come from a key that has expired since.
  std::int64_t key_valid_until = 0;
};

struct VerifiedText {
  std::string text;                      // exactly the signed data
  std::string signed_by;                 // primary fingerprint of the accepted signature
  std::int64_t signed_at = 0;            // its creation time
  std::int64_t key_valid_until = 0;      // its key's end of validity (0: none)
  std::vector<SignatureCheck> signatures; // every signature found, in file order
};

// InRelease: the file must be one cleartext-signed message and nothing else. Accepts when at
// least one signature is good, not expired, uses a strong digest (not MD5/SHA-1) and comes
// from a key whose primary fingerprint is in `pinned` (all loaded keys when `pinned` is
// empty). Signatures are judged at their creation time (librnp): the key must have been
// valid then; whether it has expired since is the caller's to judge (key_valid_until). A
// signature made after its key expired is refused as such. Throws Error naming `where` and
// saying what each signature was otherwise.
VerifiedText verify_cleartext(const std::string& file, const OpenPgpKeyring& keys,
                              const std::vector<std::string>& pinned, const std::string& where);

// Release + Release.gpg (detached, binary or armored).
// "signed on 2021-03-01 10:00:00 UTC by key F, which expired on 2023-03-01 00:00:00 UTC" when the accepted signature's key
// has expired by `now` (it was valid when it signed, or librnp would have refused it); "" when
// it has not. Re-verifying an old bundle or lock warns with it; a new build refuses it unless
// overridden.
std::string key_expired_since(const VerifiedText& verified, std::int64_t now);

VerifiedText verify_detached(const std::string& data, const std::string& signature,
                             const OpenPgpKeyring& keys, const std::vector<std::string>& pinned,
                             const std::string& where);

} // namespace compose::verify
