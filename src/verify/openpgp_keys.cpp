// Pinned OpenPGP key files; see openpgp_keys.hpp.
#include "verify/openpgp_keys.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace compose::verify {

namespace {

std::vector<std::string> pinned_in(const TrustedKey& trusted, const std::string& bytes,
                                   const std::string& source)
{
  OpenPgpKeyring probe;
  probe.add(bytes, source);
  const std::vector<std::string> present = probe.primary_fingerprints();
  std::vector<std::string> found;
  for (const std::string& fingerprint : trusted.fingerprints)
    if (std::find(present.begin(), present.end(), fingerprint) != present.end())
      found.push_back(fingerprint);
  if (!trusted.fingerprints.empty() && found.empty())
    throw Error("key file " + quote(trusted.name) + " holds none of the pinned keys (" +
                    std::to_string(trusted.fingerprints.size()) + " pinned in " + trusted.where +
                    ")",
                source, "this is not the official key file");
  return trusted.fingerprints.empty() ? present : found;
}

} // namespace

OpenPgpTrust load_openpgp_keys(const TrustConfig& trust, const std::vector<std::string>& names,
                               const KeyLookup& lookup, const std::string& kind)
{
  OpenPgpTrust result;
  for (const std::string& name : names) {
    const TrustedKey& trusted = find_trusted(trust, name, kind);
    const FoundKey found =
        locate_key(trusted, lookup, [&](const std::string& bytes, const std::string& source) {
          check_sha256_pin(trusted, bytes, source);
          pinned_in(trusted, bytes, source);
        });
    result.keyring.add(found.bytes, found.source);
    for (const std::string& fingerprint : pinned_in(trusted, found.bytes, found.source))
      result.pinned.push_back(fingerprint);
    result.files.emplace_back(trusted.name, found.bytes);
  }
  std::sort(result.pinned.begin(), result.pinned.end());
  result.pinned.erase(std::unique(result.pinned.begin(), result.pinned.end()), result.pinned.end());
  return result;
}

} // namespace compose::verify
