// `compose lock RECIPE` writes RECIPE's lock file; `compose build --locked` / `--lock FILE`
// reads one back for a build.
#include <cstdio>
#include <ctime>

#include "cli/verbs.hpp"
#include "lock/lock_file.hpp"
#include "pipeline/lock_recipe.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "verify/openpgp_sign.hpp"
#include "verify/signer_trust.hpp"

namespace fs = std::filesystem;

namespace compose::cli {

namespace {

fs::path lock_file_of(const CommonOptions& options)
{
  return options.lock_file.empty() ? lock::lock_path_for(options.recipe)
                                   : fs::path(options.lock_file);
}

// The detached signature beside a lock: "NAME.lock.json" -> "NAME.lock.json.asc".
fs::path signature_path_of(const fs::path& lock_file)
{
  return fs::path(lock_file.string() + ".asc");
}

// --lock-signed-by: the lock's exact bytes must carry a good signature by a named signer
// before anything in it is believed.
verify::VerifiedText check_lock_signature(const fs::path& file, const CommonOptions& options)
{
  const fs::path signature = signature_path_of(file);
  if (!fs::exists(signature))
    throw Error("the lock is unsigned: " + quote(signature.string()) + " does not exist",
                file.string(),
                "sign it where it was made with `compose lock --sign KEY`, or build without "
                "--lock-signed-by");
  const verify::SignerTrust signers = verify::load_signer_trust(
      signer_anchors(options, options.lock_signed_by, find_trust_dir(options)));
  return verify::verify_signer(read_file(file), read_file(signature), signers, "the lock",
                               signature.string());
}

} // namespace

int run_lock(const CommonOptions& options)
{
  Log log(verbosity_of(options));
  pipeline::BuildOptions build = build_options(options, log);
  const recipe::Recipe recipe = load_for_build(options, build);
  const lock::LockFile locked = pipeline::lock_recipe(recipe, build);
  const fs::path file = lock_file_of(options);
  const fs::path signature_file = signature_path_of(file);
  // Signed first: a key that cannot sign leaves the old lock and signature as they were.
  std::optional<verify::DetachedSignature> signature;
  if (!options.sign_key.empty())
    signature = verify::sign_detached(lock::lock_json(locked), options.sign_key,
                                      options.passphrase_file);
  log.step("write " + file.string());
  lock::write_lock(file, locked);
  if (signature) {
    log.step("write " + signature_file.string() + " (signed by " + signature->signer + ")");
    write_file_atomic(signature_file, signature->armored);
  } else if (fs::exists(signature_file)) {
    // It signed the lock this one replaces; left in place it would only ever fail.
    log.step("remove " + signature_file.string() + ": it signed the previous lock");
    fs::remove(signature_file);
  }
  log.step("locked " + recipe.name + ": " + std::to_string(locked.packages.size()) +
           " packages from " + std::to_string(locked.repositories.size()) +
           " repositories, epoch " + std::to_string(locked.epoch));
  std::printf("%s\n", file.string().c_str());
  return 0;
}

std::optional<LockedBuild> read_lock_for_build(const CommonOptions& options)
{
  if (!options.locked && options.lock_file.empty())
    return std::nullopt;
  LockedBuild locked;
  locked.file = lock_file_of(options);
  if (!options.lock_signed_by.empty()) {
    const verify::VerifiedText verified = check_lock_signature(locked.file, options);
    locked.signer = verified.signed_by;
    const std::string expired = verify::key_expired_since(verified, std::time(nullptr));
    if (!expired.empty())
      locked.warnings.push_back("lock " + locked.file.filename().string() + ": " + expired +
                                "; the signature was made while the key was valid");
  }
  locked.lock = lock::read_lock(locked.file);
  locked.options = options;
  if (locked.options.release_version.empty())
    locked.options.release_version = locked.lock.version;
  if (locked.options.point_release.empty())
    locked.options.point_release = locked.lock.point_release;
  return locked;
}

void use_lock(const LockedBuild& locked, pipeline::BuildOptions& build, Log& log)
{
  for (const std::string& warning : locked.warnings) {
    log.warning(warning);
    build.warnings.push_back(warning);
  }
  if (build.epoch && *build.epoch != locked.lock.epoch)
    log.warning("SOURCE_DATE_EPOCH=" + std::to_string(*build.epoch) +
                " is ignored: a locked build uses the lock's epoch " +
                std::to_string(locked.lock.epoch));
  build.epoch = locked.lock.epoch;
  build.lock = &locked.lock;
  build.lock_where = locked.file.string();
  build.lock_signer = locked.signer;
  if (!locked.signer.empty())
    log.step("lock signed by " + locked.signer);
  log.step("build from " + locked.file.string() + " (" +
           std::to_string(locked.lock.packages.size()) + " locked packages)");
}

} // namespace compose::cli
