// Options shared by the verbs that build or resolve, and where their defaults come from.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/build.hpp"
#include "verify/signer_trust.hpp"

namespace compose::cli {

struct CommonOptions {
  std::string recipe;
  std::string cache_dir;
  std::vector<std::string> keys_dirs;
  std::string trust_dir;
  bool offline = false;
  bool allow_expired_release = false;
  bool allow_expired_key = false;
  std::vector<std::string> mirrors; // FROM=TO
  std::string release_version;      // ${version}
  std::string point_release;        // ${point_release}
  bool locked = false;              // build: use the lock beside the recipe
  std::string lock_file;            // build: use this lock; lock: write it here
  // Signing (lock, bundle: --sign) and whose signatures count (build, verify).
  std::string sign_key;                     // --sign: OpenPGP secret key file
  std::string passphrase_file;              // --passphrase-file: unlocks a protected key
  std::vector<std::string> signed_by;       // --signed-by: the bundle's signer
  std::vector<std::string> lock_signed_by;  // --lock-signed-by: the lock's signer
  std::vector<std::string> signer_keyrings; // --signer-keyring: where their public keys are
  bool trust_bundle_keys = false;           // --trust-bundle-keys: no bundle signature needed
  unsigned jobs = 8;
  // Transfer bounds (fetch::Options): --stall-timeout, --file-timeout, --retries.
  unsigned stall_timeout = 30;
  unsigned file_timeout = 600;
  unsigned retries = 3;
  bool verbose = false;
  bool quiet = false;
};

// The keys/ trust configuration: --trust-dir, else $COMPOSE_TRUST_DIR, else the first
// "keys" directory holding *.toml found walking up from the recipe, else one installed
// beside the executable (../keys, ../share/compose/keys).
std::filesystem::path find_trust_dir(const CommonOptions& options);

// SOURCE_DATE_EPOCH when set (must be a non-negative integer; UsageError otherwise).
std::optional<std::int64_t> epoch_from_environment();

Verbosity verbosity_of(const CommonOptions& options);

// The recipe with --release, --point-release and "host-apt" resolved; the --mirror rewrites
// go to build.fetch.
recipe::Recipe load_for_build(const CommonOptions& options, pipeline::BuildOptions& build);

// The signer anchors the user named: `fingerprints` (normalized) with --signer-keyring
// files, and `trust_dir`'s signer entries when it is not empty.
verify::SignerAnchors signer_anchors(const CommonOptions& options,
                                     const std::vector<std::string>& fingerprints,
                                     const std::filesystem::path& trust_dir);

// BuildOptions from the flags, the environment and the defaults above.
pipeline::BuildOptions build_options(const CommonOptions& options, Log& log);

} // namespace compose::cli
