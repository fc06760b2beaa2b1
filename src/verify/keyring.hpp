// Keyring: the apk RSA public keys a build trusts, each loaded from bytes that matched its
// pin in keys/*.toml. Key material is found in --keys-dir directories, then the cache, then
// (online only) at the key's official URL.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/handles.hpp"
#include "verify/trust_config.hpp"

namespace compose::verify {

struct ApkKey {
  std::string name;   // file name, which is how signatures refer to it
  std::string pem;    // the key file's bytes (copied to /etc/apk/keys in the image)
  std::string sha256; // of the file, equal to the pin
  std::string source; // where the bytes were found
  std::shared_ptr<EVP_PKEY> key;
};

class Keyring {
public:
  const ApkKey* find(std::string_view name) const;
  std::vector<std::string> names() const; // sorted
  void add(ApkKey key);

private:
  std::map<std::string, ApkKey, std::less<>> m_keys;
};

struct KeyLookup {
  std::vector<std::filesystem::path> directories; // searched first, in order
  std::filesystem::path cache_dir;                // <cache>/<sha256> holds keys seen before
  bool offline = false;
  // Online only: fetches `url`; `check` runs on the bytes before they may be cached (a key
  // that fails its pin never enters the cache).
  std::function<std::string(const std::string& url,
                            const std::function<void(const std::string& bytes)>& check)>
      download;
};

// Parses a PEM SubjectPublicKeyInfo RSA key; throws Error naming `where`.
std::shared_ptr<EVP_PKEY> parse_rsa_public_key(const std::string& pem, const std::string& where);

struct FoundKey {
  std::string bytes;
  std::string source; // the file or URL it was read from
};

// Finds a trusted key file: in each of `lookup.directories`, then the cache, then (online)
// at its official URL. `check` validates the bytes against the pins (throwing Error); a copy
// that fails is an error, never skipped. Throws Error naming the places searched.
FoundKey locate_key(const TrustedKey& trusted, const KeyLookup& lookup,
                    const std::function<void(const std::string& bytes, const std::string& source)>& check);

// The trust entry of `name`, which must be of `kind`; throws Error otherwise.
const TrustedKey& find_trusted(const TrustConfig& trust, const std::string& name,
                               const std::string& kind);

// Throws Error naming `source` when the trust entry pins a SHA-256 the bytes do not have.
void check_sha256_pin(const TrustedKey& trusted, const std::string& bytes, const std::string& source);

// Loads the named keys. Throws Error when a name is not in the trust configuration, when a
// copy does not match its pin (naming the file and both digests), or when a key cannot be
// found (naming the places searched).
Keyring load_apk_keyring(const TrustConfig& trust, const std::vector<std::string>& names,
                         const KeyLookup& lookup);

} // namespace compose::verify
