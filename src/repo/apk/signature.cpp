// apk signature members; see signature.hpp.
#include "repo/apk/signature.hpp"

#include <optional>

#include "util/error.hpp"
#include "util/hash.hpp"
#include "verify/rsa_signature.hpp"

namespace compose::repo::apk {

namespace {

std::uint64_t octal(std::string_view field)
{
  std::uint64_t value = 0;
  for (char c : field) {
    if (c == '\0' || c == ' ')
      break;
    if (c < '0' || c > '7')
      throw Error("bad number in a tar header");
    value = value * 8 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

std::optional<DigestAlgorithm> algorithm_of(const std::string& name)
{
  if (name == "RSA")
    return DigestAlgorithm::sha1;
  if (name == "RSA256")
    return DigestAlgorithm::sha256;
  if (name == "RSA512")
    return DigestAlgorithm::sha512;
  return std::nullopt; // DSA and anything else: refused
}

} // namespace

bool is_signature_member(std::string_view inflated) { return inflated.starts_with(".SIGN."); }

std::vector<SignatureEntry> read_signature_entries(const std::string& fragment,
                                                   const std::string& where)
{
  std::vector<SignatureEntry> entries;
  std::size_t offset = 0;
  while (offset + 512 <= fragment.size()) {
    const std::string_view header(fragment.data() + offset, 512);
    if (header.find_first_not_of('\0') == std::string_view::npos)
      break; // end blocks, tolerated
    const std::string name(header.substr(0, header.find('\0') < 100 ? header.find('\0') : 100));
    std::uint64_t size = 0;
    try {
      size = octal(header.substr(124, 12));
    } catch (const Error&) {
      throw Error("signature member has a corrupt tar header", where);
    }
    offset += 512;
    if (offset + size > fragment.size())
      throw Error("signature member is truncated", where);
    if (!name.starts_with(".SIGN."))
      throw Error("the first member holds " + quote(name) + ", not a .SIGN.* signature", where);
    const std::string rest = name.substr(6);
    const std::size_t dot = rest.find('.');
    if (dot == std::string::npos)
      throw Error("malformed signature entry " + quote(name), where);
    SignatureEntry entry{rest.substr(0, dot), rest.substr(dot + 1),
                         fragment.substr(offset, size)};
    if (entry.key_name.empty() || entry.key_name.find('/') != std::string::npos ||
        entry.key_name.find("..") != std::string::npos)
      throw Error("signature names an unsafe key file " + quote(entry.key_name), where);
    entries.push_back(std::move(entry));
    offset += (size + 511) / 512 * 512;
  }
  return entries;
}

SignatureVerdict verify_signatures(const std::vector<SignatureEntry>& entries,
                                   std::string_view signed_bytes, const verify::Keyring& keys)
{
  SignatureVerdict verdict;
  for (const SignatureEntry& entry : entries) {
    const std::optional<DigestAlgorithm> algorithm = algorithm_of(entry.algorithm);
    const verify::ApkKey* key = keys.find(entry.key_name);
    if (!algorithm) {
      verdict.failed.push_back(entry.key_name + " (unsupported " + entry.algorithm + ")");
      continue;
    }
    if (!key) {
      verdict.untrusted.push_back(entry.key_name);
      continue;
    }
    const std::string digest = compose::digest(*algorithm, signed_bytes);
    if (verify::verify_rsa_digest(key->key.get(), *algorithm, digest, entry.signature)) {
      verdict.signer = entry.key_name;
      break;
    }
    verdict.failed.push_back(entry.key_name);
  }
  return verdict;
}

std::string key_list(const std::vector<std::string>& names, bool quoted)
{
  std::string text;
  for (const std::string& name : names)
    text += (text.empty() ? "" : ", ") + (quoted ? quote(name) : name);
  return text;
}

} // namespace compose::repo::apk
