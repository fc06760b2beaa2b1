// Signer anchors for bundles and locks; see signer_trust.hpp.
#include "verify/signer_trust.hpp"

#include <algorithm>
#include <cctype>

#include "util/error.hpp"
#include "util/files.hpp"
#include "verify/openpgp_keys.hpp"
#include "verify/trust_config.hpp"

namespace fs = std::filesystem;

namespace compose::verify {

std::string normalize_fingerprint(const std::string& text)
{
  std::string hex;
  std::string rest = text;
  if (rest.starts_with("0x") || rest.starts_with("0X"))
    rest.erase(0, 2);
  for (const char c : rest) {
    if (c == ' ' || c == ':')
      continue;
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if ((hex.size() != 40 && hex.size() != 64) ||
      hex.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw UsageError("signer fingerprint " + quote(text) +
                         " is not a full primary key fingerprint (40 or 64 hex digits)",
                     "", "`gpg --with-colons --fingerprint` lists it (the fpr line)");
  return hex;
}

SignerTrust load_signer_trust(const SignerAnchors& anchors)
{
  SignerTrust trust;
  std::vector<std::string> sources;
  for (const fs::path& file : anchors.keyrings) {
    trust.keyring.add(read_file(file), file.string());
    sources.push_back(file.string());
  }
  std::vector<std::string> configured;
  if (!anchors.trust_dir.empty()) {
    const TrustConfig config = load_trust_config(anchors.trust_dir);
    std::vector<std::string> names;
    for (const TrustedKey& key : config.keys)
      if (key.kind == "openpgp-signer")
        names.push_back(key.name);
    if (!names.empty()) {
      KeyLookup lookup;
      lookup.directories = {anchors.trust_dir};
      lookup.directories.insert(lookup.directories.end(), anchors.keys_dirs.begin(),
                                anchors.keys_dirs.end());
      lookup.offline = true; // a signer's key is the user's to provide, never downloaded
      const OpenPgpTrust loaded = load_openpgp_keys(config, names, lookup, "openpgp-signer");
      for (const auto& [name, bytes] : loaded.files)
        trust.keyring.add(bytes, (anchors.trust_dir / name).string());
      configured = loaded.pinned;
    }
    sources.push_back("the signers of " + anchors.trust_dir.string());
  }

  if (!anchors.fingerprints.empty()) {
    const std::vector<std::string> present = trust.keyring.primary_fingerprints();
    for (const std::string& fingerprint : anchors.fingerprints) {
      if (std::find(present.begin(), present.end(), fingerprint) == present.end()) {
        std::string searched;
        for (const std::string& source : sources)
          searched += (searched.empty() ? "" : ", ") + source;
        throw Error("no public key " + fingerprint + " to check the signature with",
                    searched.empty() ? std::string("no --signer-keyring given") : searched,
                    "pass the signer's public key with --signer-keyring FILE");
      }
      trust.accepted.push_back(fingerprint);
    }
  } else {
    if (configured.empty())
      throw Error("the trust configuration names no signer (no [[key]] of kind "
                  "\"openpgp-signer\")",
                  anchors.trust_dir.string(),
                  "add the producer's key there, or name it with --signed-by FINGERPRINT and "
                  "--signer-keyring FILE");
    trust.accepted = configured;
  }
  std::sort(trust.accepted.begin(), trust.accepted.end());
  trust.accepted.erase(std::unique(trust.accepted.begin(), trust.accepted.end()),
                       trust.accepted.end());
  return trust;
}

VerifiedText verify_signer(const std::string& data, const std::string& signature,
                           const SignerTrust& trust, const std::string& what,
                           const std::string& where)
{
  try {
    return verify_detached(data, signature, trust.keyring, trust.accepted, where);
  } catch (const Error& e) {
    std::string accepted;
    for (const std::string& fingerprint : trust.accepted)
      accepted += (accepted.empty() ? "" : ", ") + fingerprint;
    throw Error("the signature of " + what + " is not a good one by a signer you trust (" +
                    accepted + "): " + e.message(),
                e.where(),
                "it was changed after signing, or signed by another key; a key that travels "
                "with it cannot vouch for it");
  }
}

} // namespace compose::verify
