// The producer signature of a bundle; see bundle_signature.hpp.
#include "pipeline/bundle_signature.hpp"

#include <ctime>

#include "bundle/manifest.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

namespace {

const std::string k_anchor_hint =
    "name the producer's key: --signed-by FINGERPRINT with --signer-keyring FILE, or "
    "--trust-dir DIR whose keys/*.toml list it as kind = \"openpgp-signer\"; "
    "--trust-bundle-keys trusts the keys the bundle carries (recorded in the report)";

} // namespace

BundleSignature check_bundle_signature(const fs::path& directory, const std::string& bundle,
                                       const BundleTrust& trust)
{
  const fs::path signature_file = directory / bundle::k_signature_path;
  const bool is_signed = fs::exists(signature_file);
  BundleSignature result;
  if (trust.trust_bundle_keys) {
    result.override_note = "bundle " + fs::path(bundle).filename().string() + ": " +
                           (is_signed ? "signature not checked" : "unsigned") +
                           ", its own keys and trust configuration trusted (--trust-bundle-keys)";
    return result;
  }
  if (trust.anchors.empty())
    throw Error("no signer to check the bundle against: a bundle cannot vouch for itself",
                bundle, k_anchor_hint);
  if (!is_signed)
    throw Error("the bundle is unsigned (it has no " + quote(bundle::k_signature_path) + ")",
                bundle,
                "ask its producer for one written with `compose bundle --sign KEY`, or pass "
                "--trust-bundle-keys to trust the keys it carries (recorded in the report)");
  const verify::SignerTrust signers = verify::load_signer_trust(trust.anchors);
  const verify::VerifiedText verified = verify::verify_signer(
      read_file(directory / bundle::k_manifest_path), read_file(signature_file), signers,
      "the bundle manifest", bundle + ": " + bundle::k_signature_path);
  result.signer = verified.signed_by;
  // An old bundle is still what its producer signed; the key's later expiry is worth saying.
  const std::string expired = verify::key_expired_since(verified, std::time(nullptr));
  if (!expired.empty())
    result.warnings.push_back("bundle " + fs::path(bundle).filename().string() + ": " +
                              expired + "; the signature was made while the key was valid");
  return result;
}

} // namespace compose::pipeline
