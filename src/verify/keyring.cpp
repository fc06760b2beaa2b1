// Key lookup with pins; see keyring.hpp.
#include "verify/keyring.hpp"

#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <optional>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::verify {

const ApkKey* Keyring::find(std::string_view name) const
{
  const auto found = m_keys.find(name);
  return found == m_keys.end() ? nullptr : &found->second;
}

std::vector<std::string> Keyring::names() const
{
  std::vector<std::string> out;
  for (const auto& [name, key] : m_keys)
    out.push_back(name);
  return out;
}

void Keyring::add(ApkKey key)
{
  const std::string name = key.name;
  m_keys.insert_or_assign(name, std::move(key));
}

std::shared_ptr<EVP_PKEY> parse_rsa_public_key(const std::string& pem, const std::string& where)
{
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio)
    throw Error("cannot read key: " + openssl_error_text(), where);
  EVP_PKEY* raw = PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (!raw)
    throw Error("not a PEM public key: " + openssl_error_text(), where);
  std::shared_ptr<EVP_PKEY> key(raw, EVP_PKEY_free);
  if (EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA)
    throw Error("not an RSA key", where);
  return key;
}

namespace {

std::optional<std::string> read_if_exists(const fs::path& path)
{
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return std::nullopt;
  return read_file(path);
}

ApkKey accept(const TrustedKey& trusted, std::string bytes, const std::string& source)
{
  const std::string digest = sha256_hex(bytes);
  if (digest != trusted.sha256)
    throw Error("key file " + quote(trusted.name) + " does not match its pin (expected sha256 " +
                    trusted.sha256 + ", found " + digest + ")",
                source,
                "this is not the official key; remove the file or fix " + trusted.where);
  ApkKey key;
  key.name = trusted.name;
  key.sha256 = digest;
  key.source = source;
  key.key = parse_rsa_public_key(bytes, source);
  key.pem = std::move(bytes);
  return key;
}

} // namespace

Keyring load_apk_keyring(const TrustConfig& trust, const std::vector<std::string>& names,
                         const KeyLookup& lookup)
{
  Keyring keyring;
  for (const std::string& name : names) {
    const TrustedKey* trusted = trust.find(name);
    if (!trusted)
      throw Error("key " + quote(name) + " is not in the trust configuration (keys/*.toml)", "",
                  "add it to keys/ with its official URL and pinned sha256");
    if (trusted->kind != "apk-rsa")
      throw Error("key " + quote(name) + " is an " + trusted->kind + " key, not an apk RSA key",
                  trusted->where);

    std::optional<ApkKey> found;
    std::string searched;
    for (const fs::path& directory : lookup.directories) {
      searched += (searched.empty() ? "" : ", ") + directory.string();
      if (auto bytes = read_if_exists(directory / name)) {
        found = accept(*trusted, std::move(*bytes), (directory / name).string());
        break;
      }
    }
    if (!found && !lookup.cache_dir.empty()) {
      const fs::path cached = lookup.cache_dir / trusted->sha256;
      searched += (searched.empty() ? "" : ", ") + std::string("the cache");
      if (auto bytes = read_if_exists(cached))
        found = accept(*trusted, std::move(*bytes), cached.string());
    }
    if (!found && !lookup.offline && lookup.download) {
      found = accept(*trusted, lookup.download(trusted->url), trusted->url);
      if (!lookup.cache_dir.empty())
        write_file_atomic(lookup.cache_dir / trusted->sha256, found->pem);
    }
    if (!found)
      throw Error("key " + quote(name) + " not found (searched " +
                      (searched.empty() ? std::string("nowhere") : searched) + ")",
                  "", "pass --keys-dir with a directory holding " + name +
                          (lookup.offline ? ", or run once online to cache it" : ""));
    keyring.add(std::move(*found));
  }
  return keyring;
}

} // namespace compose::verify
