// Signed Releases; see debian_release.hpp.
#include "pipeline/debian_release.hpp"

#include <algorithm>
#include <ctime>

#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::pipeline {

namespace {

// librnp accepted the signature at its creation time; the key may have expired since.
void check_key_validity(const verify::VerifiedText& verified, std::int64_t now,
                        SignedRelease& signed_release, const ReleaseRules& rules)
{
  const std::string what = verify::key_expired_since(verified, now);
  if (what.empty())
    return;
  if (rules.reverifying) {
    signed_release.warnings.push_back(signed_release.url + ": " + what +
                                      "; the signature was made while the key was valid, so "
                                      "the locked Release is accepted");
    return;
  }
  if (!rules.options.allow_expired_key)
    throw Error("the Release is " + what, signed_release.url,
                "the repository's key has expired: trust its new key, or accept the expired "
                "one explicitly with --allow-expired-key (recorded in the build report)");
  signed_release.overrides.push_back(signed_release.url + ": " + what +
                                     "; accepted (--allow-expired-key)");
}

void check_release(const verify::VerifiedText& verified, SignedRelease& signed_release,
                   const ReleaseRules& rules)
{
  const repo::deb::Release& release = signed_release.release;
  const std::string& suite = rules.suite;
  // apt refuses a Release for another suite: a mirror must not swap in an older one.
  const std::string last = suite.substr(suite.rfind('/') + 1);
  if (release.suite != suite && release.codename != suite && release.codename != last &&
      release.suite != last)
    throw Error("the signed Release is for " + quote(release.suite) + " (" +
                    quote(release.codename) + "), not for the requested suite " + quote(suite),
                signed_release.url, "check the repository's suites in " + rules.recipe.where.file);
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  const bool expired = release.valid_until && *release.valid_until < now;
  repo::deb::check_valid_until(release, now, rules.options.allow_expired_release,
                               signed_release.url);
  if (expired)
    signed_release.overrides.push_back(signed_release.url +
                                       ": expired Valid-Until accepted (--allow-expired-release)");
  const auto& architectures = release.architectures;
  if (!architectures.empty() &&
      std::find(architectures.begin(), architectures.end(), rules.recipe.architecture) ==
          architectures.end())
    throw Error("the Release does not list architecture " + quote(rules.recipe.architecture),
                signed_release.url);
  check_key_validity(verified, now, signed_release, rules);
}

} // namespace

SignedRelease accept_inrelease(const std::string& bytes, const std::string& url,
                               const ReleaseRules& rules)
{
  const verify::VerifiedText verified =
      verify::verify_cleartext(bytes, rules.trust.keyring, rules.trust.pinned, url);
  SignedRelease result;
  result.url = url;
  result.sha256 = sha256_hex(bytes);
  result.signed_by = verified.signed_by;
  result.release = repo::deb::parse_release(verified.text, url);
  check_release(verified, result, rules);
  return result;
}

SignedRelease accept_detached(const std::string& text, const std::string& signature,
                              const std::string& url, const ReleaseRules& rules)
{
  const verify::VerifiedText verified = verify::verify_detached(
      text, signature, rules.trust.keyring, rules.trust.pinned, url + ".gpg");
  SignedRelease result;
  result.url = url;
  result.sha256 = sha256_hex(text);
  result.signature_url = url + ".gpg";
  result.signature_sha256 = sha256_hex(signature);
  result.signed_by = verified.signed_by;
  result.release = repo::deb::parse_release(verified.text, url);
  check_release(verified, result, rules);
  return result;
}

} // namespace compose::pipeline
