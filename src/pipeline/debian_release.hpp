// A signed Release as a build accepts it: InRelease (clear-signed) or Release + Release.gpg,
// verified with one repository's own keys at the signature's creation time, then checked as
// apt checks it (suite, Valid-Until, architecture) and for a key that has expired since it
// signed. Shared by index-driven builds and by locked builds, which verify the very Release
// the lock pins again.
#pragma once

#include <string>
#include <vector>

#include "fetch/fetch.hpp"
#include "pipeline/build.hpp"
#include "repo/deb/release_file.hpp"
#include "verify/openpgp_keys.hpp"

namespace compose::pipeline {

struct SignedRelease {
  std::string url, sha256, signed_by;
  std::string signature_url, signature_sha256; // Release.gpg, when signed detached
  repo::deb::Release release;
  // Verification overrides the user asked for and this Release needed ("URL: expired
  // Valid-Until accepted (--allow-expired-release)"); each starts with "URL: ".
  std::vector<std::string> overrides;
  std::vector<std::string> warnings; // a re-verified signature whose key expired since
  std::vector<fetch::Fetched> files; // confirmed in the cache once its Packages are checked
};

// What a Release must pass, besides its signature, before it is used or cached.
struct ReleaseRules {
  const verify::OpenPgpTrust& trust;
  const std::string& suite;
  const recipe::Recipe& recipe;
  const BuildOptions& options;
  // Old material judged again (a locked or bundled build): a key that expired after it made
  // the signature is a warning. For new material it is an error unless
  // options.allow_expired_key, which is recorded as an override.
  bool reverifying = false;
};

// Throw Error naming `url` for a bad or untrusted signature, a Release for another suite,
// an expired Valid-Until (unless options.allow_expired_release), an architecture the Release
// does not list, and (new material only) a signing key that has expired.
SignedRelease accept_inrelease(const std::string& bytes, const std::string& url,
                               const ReleaseRules& rules);
SignedRelease accept_detached(const std::string& text, const std::string& signature,
                              const std::string& url, const ReleaseRules& rules);

} // namespace compose::pipeline
