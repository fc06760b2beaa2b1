// `compose bundle RECIPE… -o FILE`, `compose verify BUNDLE` and
// `compose build --from-bundle BUNDLE NAME`: offline bundles of locked builds.
#include <cstdio>

#include "bundle/bundle_archive.hpp"
#include "cli/verbs.hpp"
#include "pipeline/build.hpp"
#include "pipeline/bundle_collect.hpp"
#include "pipeline/bundle_signature.hpp"
#include "pipeline/bundle_verify.hpp"
#include "pipeline/mirrors.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::cli {

namespace {

// A bundle unpacked into a private temporary directory, checked against its manifest,
// its producer's signature, locks, keys and index signatures; the directory goes when this
// goes.
struct UnpackedBundle {
  TempPath directory;
  fs::path root; // directory / "bundle"
  bundle::Manifest manifest;
  pipeline::BundleSignature signature;
  pipeline::BundleSummary summary;
};

// The signer must be one the user names (explicit --trust-dir, --signed-by); repository keys
// are checked against an explicit --trust-dir, else the bundle's own trust/, which the
// verified signature covers.
UnpackedBundle unpack_and_verify(const fs::path& file, const CommonOptions& options, Log& log)
{
  UnpackedBundle unpacked{make_temp_directory("compose-bundle"), {}, {}, {}, {}};
  unpacked.root = unpacked.directory.path() / "bundle";
  log.step("unpack " + file.string());
  unpacked.manifest = bundle::unpack_bundle(file, unpacked.root);
  pipeline::BundleTrust trust;
  trust.anchors = signer_anchors(options, options.signed_by, options.trust_dir);
  trust.trust_bundle_keys = options.trust_bundle_keys;
  unpacked.signature = pipeline::check_bundle_signature(unpacked.root, file.string(), trust);
  if (!unpacked.signature.signer.empty())
    log.step("signed by " + unpacked.signature.signer);
  else
    log.warning(unpacked.signature.override_note);
  unpacked.summary =
      pipeline::verify_bundle(unpacked.root, unpacked.manifest, options.trust_dir, log);
  for (const std::string& warning : unpacked.signature.warnings)
    log.warning(warning);
  for (const std::string& warning : unpacked.summary.warnings)
    log.warning(warning);
  return unpacked;
}

// A bundled recipe by name, by its path in the bundle, or by its file name.
const bundle::BundledRecipe& pick_recipe(const bundle::Manifest& manifest,
                                         const std::string& wanted, const fs::path& file)
{
  std::string names;
  for (const bundle::BundledRecipe& entry : manifest.recipes) {
    if (entry.name == wanted || entry.recipe == wanted || entry.recipe == "recipes/" + wanted ||
        fs::path(entry.recipe).filename() == wanted)
      return entry;
    names += (names.empty() ? "" : ", ") + entry.name + " (" + entry.recipe + ")";
  }
  throw UsageError("the bundle has no recipe " + quote(wanted), file.string(),
                   "it holds: " + names);
}

} // namespace

int run_bundle(const CommonOptions& options, const std::vector<std::string>& recipes,
               const std::string& output)
{
  Log log(verbosity_of(options));
  std::vector<pipeline::BundleInput> inputs;
  pipeline::BuildOptions build;
  for (const std::string& recipe_file : recipes) {
    CommonOptions single = options;
    single.recipe = recipe_file;
    pipeline::BundleInput input;
    input.lock_file = lock::lock_path_for(recipe_file);
    if (fs::exists(input.lock_file)) {
      log.step("use " + input.lock_file.string());
    } else {
      single.lock_file = input.lock_file.string();
      run_lock(single);
    }
    input.lock = lock::read_lock(input.lock_file);
    input.recipe = pipeline::load_bundled_recipe(recipe_file, input.lock);
    input.trust_dir = find_trust_dir(single);
    if (inputs.empty()) {
      build = build_options(single, log);
      std::vector<std::pair<std::string, std::string>> mirrors;
      for (const std::string& mirror : options.mirrors)
        mirrors.push_back(pipeline::parse_mirror(mirror));
      recipe::Recipe copy = input.recipe;
      build.fetch.mirrors = pipeline::apply_mirrors(copy, mirrors);
    }
    for (fetch::RepositoryMirrors& repository : pipeline::repository_mirrors(input.recipe))
      build.fetch.repositories.push_back(std::move(repository));
    inputs.push_back(std::move(input));
  }
  const std::string digest = pipeline::write_bundle(
      inputs, build, output, {options.sign_key, options.passphrase_file});
  log.step("bundle sha256:" + digest);
  std::printf("%s\n", output.c_str());
  return 0;
}

int run_verify(const std::string& file, const CommonOptions& options)
{
  Log log(verbosity_of(options));
  const UnpackedBundle unpacked = unpack_and_verify(file, options, log);
  const pipeline::BundleSummary& summary = unpacked.summary;
  const std::string trusted = unpacked.signature.signer.empty()
                                  ? "NOT signature-checked: --trust-bundle-keys"
                                  : "signed by " + unpacked.signature.signer;
  std::printf("%s: ok, %s (%zu recipe(s), %zu members: %zu signed indexes, %zu packages, %zu "
              "pinned files, %zu keys)\n",
              file.c_str(), trusted.c_str(), summary.recipes, unpacked.manifest.members.size(),
              summary.indexes, summary.packages, summary.files, summary.keys);
  return 0;
}

int run_build_from_bundle(const CommonOptions& options, const std::string& bundle_file,
                          const std::string& out_dir)
{
  Log log(verbosity_of(options));
  // Verified before anything is built: a bad bundle writes nothing to out/.
  const UnpackedBundle unpacked = unpack_and_verify(bundle_file, options, log);
  const bundle::BundledRecipe& entry =
      pick_recipe(unpacked.manifest, options.recipe, bundle_file);

  CommonOptions local = options;
  local.recipe = (unpacked.root / entry.recipe).string();
  local.locked = false;
  local.lock_file = (unpacked.root / entry.lock).string();
  if (local.trust_dir.empty())
    local.trust_dir = (unpacked.root / "trust").string();
  local.keys_dirs.insert(local.keys_dirs.begin(), (unpacked.root / "keys").string());
  local.cache_dir = (unpacked.directory.path() / "cache").string(); // nothing from elsewhere
  local.offline = false;
  local.mirrors.clear();

  const std::optional<LockedBuild> locked = read_lock_for_build(local);
  recipe::BuildInputs inputs;
  if (!locked->options.release_version.empty())
    inputs.version = locked->options.release_version;
  if (!locked->options.point_release.empty())
    inputs.point_release = locked->options.point_release;
  const recipe::Recipe recipe = pipeline::load_bundled_recipe(local.recipe, locked->lock, inputs);
  pipeline::BuildOptions build = build_options(local, log);
  build.out_dir = out_dir;
  use_lock(*locked, build, log);
  build.bundle = pipeline::BuildOptions::BundleOrigin{fs::path(bundle_file).filename().string(),
                                                      sha256_file_hex(bundle_file),
                                                      unpacked.signature.signer};
  if (!unpacked.signature.override_note.empty())
    build.overrides.push_back(unpacked.signature.override_note);
  for (const auto* warnings : {&unpacked.signature.warnings, &unpacked.summary.warnings})
    build.warnings.insert(build.warnings.end(), warnings->begin(), warnings->end());
  // Every transfer goes into the unpacked bundle; a URL it lacks fails, never the network.
  build.fetch.mirrors = bundle::bundle_mirrors(unpacked.root);
  build.fetch.mirrors_only = "the bundle " + quote(bundle_file);
  build.fetch.repositories = pipeline::repository_mirrors(recipe); // their index ceilings
  return build_and_print(recipe, build, log);
}

} // namespace compose::cli
