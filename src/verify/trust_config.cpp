// keys/*.toml -> TrustConfig; see trust_config.hpp.
#include "verify/trust_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <set>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace compose::verify {

namespace {

std::string location(const fs::path& file, const toml::source_region& region)
{
  return file.string() + ":" + std::to_string(region.begin.line) + ":" +
         std::to_string(region.begin.column);
}

std::string string_field(const toml::table& table, std::string_view key, const fs::path& file,
                         bool required)
{
  const toml::node* node = table.get(key);
  if (!node) {
    if (required)
      throw Error("key entry has no " + quote(std::string(key)), location(file, table.source()));
    return {};
  }
  const auto value = node->value<std::string>();
  if (!node->is_string() || !value)
    throw Error(quote(std::string(key)) + " must be a string", location(file, node->source()));
  return *value;
}

std::vector<std::string> list_field(const toml::table& table, std::string_view key,
                                    const fs::path& file)
{
  std::vector<std::string> out;
  const toml::node* node = table.get(key);
  if (!node)
    return out;
  const toml::array* array = node->as_array();
  if (!array)
    throw Error(quote(std::string(key)) + " must be an array of strings",
                location(file, node->source()));
  for (const toml::node& item : *array) {
    const auto value = item.value<std::string>();
    if (!item.is_string() || !value)
      throw Error(quote(std::string(key)) + " must hold strings", location(file, item.source()));
    out.push_back(*value);
  }
  return out;
}

bool is_hex(const std::string& text, std::size_t length)
{
  return text.size() == length && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

} // namespace

const TrustedKey* TrustConfig::find(std::string_view name) const
{
  for (const TrustedKey& key : keys)
    if (key.name == name)
      return &key;
  return nullptr;
}

TrustConfig load_trust_config(const fs::path& directory)
{
  std::error_code ec;
  if (!fs::is_directory(directory, ec))
    throw Error("trust configuration directory does not exist", directory.string(),
                "pass --trust-dir pointing at the repository's keys/ directory");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(directory, ec))
    if (entry.path().extension() == ".toml")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty())
    throw Error("no *.toml trust files", directory.string());

  static const std::set<std::string, std::less<>> allowed = {
      "name", "kind", "url", "sha256", "fingerprints", "architectures", "comment"};
  TrustConfig config;
  for (const fs::path& file : files) {
    toml::table document;
    try {
      document = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
      throw Error(std::string("malformed trust file: ") + std::string(e.description()),
                  location(file, e.source()));
    }
    for (const auto& [top, node] : document)
      if (top != "key")
        throw Error("unknown field " + quote(std::string(top.str())) + " (expected [[key]])",
                    location(file, node.source()));
    const toml::array* entries = document["key"].as_array();
    if (!entries)
      continue;
    for (const toml::node& node : *entries) {
      const toml::table* table = node.as_table();
      if (!table)
        throw Error("[[key]] entries must be tables", location(file, node.source()));
      for (const auto& [field, value] : *table)
        if (!allowed.contains(field.str()))
          throw Error("unknown field " + quote(std::string(field.str())) + " in [[key]]",
                      location(file, value.source()),
                      "allowed: name, kind, url, sha256, fingerprints, architectures, comment");
      TrustedKey key;
      key.where = location(file, table->source());
      key.name = string_field(*table, "name", file, true);
      key.kind = string_field(*table, "kind", file, true);
      // A signer's key comes from its producer, not from a distribution's download page.
      key.url = string_field(*table, "url", file, key.kind != "openpgp-signer");
      key.sha256 = string_field(*table, "sha256", file, false);
      key.fingerprints = list_field(*table, "fingerprints", file);
      key.architectures = list_field(*table, "architectures", file);
      if (key.kind != "apk-rsa" && key.kind != "openpgp" && key.kind != "openpgp-signer")
        throw Error("unknown key kind " + quote(key.kind) +
                        " (apk-rsa, openpgp or openpgp-signer)",
                    key.where);
      if (key.kind == "openpgp-signer" && key.fingerprints.empty())
        throw Error("signer key " + quote(key.name) + " pins no fingerprint", key.where,
                    "a bundle or lock signer is named by its primary key fingerprint");
      // OpenPGP keys may be pinned by fingerprint alone: a keyring file gains new
      // self-signatures (extended expiry) without its keys changing.
      if (key.sha256.empty() && (key.kind == "apk-rsa" || key.fingerprints.empty()))
        throw Error("key " + quote(key.name) + " has no pin",
                    key.where, "give sha256 (of the file) or, for OpenPGP keys, fingerprints");
      if (!key.sha256.empty() && !is_hex(key.sha256, 64))
        throw Error("sha256 pin of " + quote(key.name) + " is not 64 lower-case hex digits",
                    key.where);
      if (key.name.find('/') != std::string::npos || key.name.starts_with("."))
        throw Error("key name " + quote(key.name) + " must be a plain file name", key.where);
      for (const std::string& fingerprint : key.fingerprints)
        if (!is_hex(fingerprint, 40) && !is_hex(fingerprint, 64))
          throw Error("fingerprint " + quote(fingerprint) + " is not lower-case hex", key.where);
      if (config.find(key.name))
        throw Error("key " + quote(key.name) + " is listed twice", key.where);
      config.keys.push_back(std::move(key));
    }
  }
  return config;
}

} // namespace compose::verify
