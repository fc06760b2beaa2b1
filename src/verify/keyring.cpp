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

} // namespace

FoundKey locate_key(const TrustedKey& trusted, const KeyLookup& lookup,
                    const std::function<void(const std::string&, const std::string&)>& check)
{
  auto accept = [&](std::string bytes, std::string source) {
    check(bytes, source);
    return FoundKey{std::move(bytes), std::move(source)};
  };
  // Keys pinned by fingerprint alone are cached under their name (and re-checked on use).
  const std::string cache_name =
      trusted.sha256.empty() ? "openpgp-" + trusted.name : trusted.sha256;
  std::string searched;
  for (const fs::path& directory : lookup.directories) {
    searched += (searched.empty() ? "" : ", ") + directory.string();
    if (auto bytes = read_if_exists(directory / trusted.name))
      return accept(std::move(*bytes), (directory / trusted.name).string());
  }
  if (!lookup.cache_dir.empty()) {
    const fs::path cached = lookup.cache_dir / cache_name;
    searched += (searched.empty() ? "" : ", ") + std::string("the cache");
    if (auto bytes = read_if_exists(cached))
      return accept(std::move(*bytes), cached.string());
  }
  if (!lookup.offline && lookup.download) {
    // Checked by the download before it is cached, and here again whatever the download did.
    const auto check_download = [&](const std::string& bytes) { check(bytes, trusted.url); };
    FoundKey found = accept(lookup.download(trusted.url, check_download), trusted.url);
    if (!lookup.cache_dir.empty())
      write_file_atomic(lookup.cache_dir / cache_name, found.bytes);
    return found;
  }
  throw Error("key " + quote(trusted.name) + " not found (searched " +
                  (searched.empty() ? std::string("nowhere") : searched) + ")",
              "", "pass --keys-dir with a directory holding " + trusted.name +
                      (lookup.offline ? ", or run once online to cache it" : ""));
}

const TrustedKey& find_trusted(const TrustConfig& trust, const std::string& name,
                               const std::string& kind)
{
  const TrustedKey* trusted = trust.find(name);
  if (!trusted)
    throw Error("key " + quote(name) + " is not in the trust configuration (keys/*.toml)", "",
                "add it to keys/ with its official URL and its pin");
  if (trusted->kind != kind)
    throw Error("key " + quote(name) + " is an " + trusted->kind + " key, not an " + kind + " key",
                trusted->where);
  return *trusted;
}

void check_sha256_pin(const TrustedKey& trusted, const std::string& bytes,
                      const std::string& source)
{
  if (trusted.sha256.empty())
    return;
  const std::string digest = sha256_hex(bytes);
  if (digest != trusted.sha256)
    throw Error("key file " + quote(trusted.name) + " does not match its pin (expected sha256 " +
                    trusted.sha256 + ", found " + digest + ")",
                source,
                "this is not the official key; remove the file or fix " + trusted.where);
}

Keyring load_apk_keyring(const TrustConfig& trust, const std::vector<std::string>& names,
                         const KeyLookup& lookup)
{
  Keyring keyring;
  for (const std::string& name : names) {
    const TrustedKey& trusted = find_trusted(trust, name, "apk-rsa");
    const FoundKey found = locate_key(trusted, lookup, [&](const std::string& bytes,
                                                           const std::string& source) {
      check_sha256_pin(trusted, bytes, source);
      parse_rsa_public_key(bytes, source);
    });
    ApkKey key;
    key.name = trusted.name;
    key.sha256 = sha256_hex(found.bytes);
    key.source = found.source;
    key.key = parse_rsa_public_key(found.bytes, found.source);
    key.pem = found.bytes;
    keyring.add(std::move(key));
  }
  return keyring;
}

} // namespace compose::verify
