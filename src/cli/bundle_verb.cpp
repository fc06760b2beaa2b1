// `compose bundle RECIPE… -o FILE`, `compose verify BUNDLE` and
// `compose build --from-bundle BUNDLE NAME`: offline bundles of locked builds.
#include <cstdio>

#include "bundle/bundle_archive.hpp"
#include "cli/verbs.hpp"
#include "pipeline/build.hpp"
#include "pipeline/bundle_collect.hpp"
#include "pipeline/bundle_verify.hpp"
#include "pipeline/mirrors.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;

namespace compose::cli {

namespace {

// A bundle unpacked into a private temporary directory, checked against its manifest,
// locks, keys and signatures; the directory goes when this goes.
struct UnpackedBundle {
  TempPath directory;
  fs::path root; // directory / "bundle"
  bundle::Manifest manifest;
  pipeline::BundleSummary summary;
};

UnpackedBundle unpack_and_verify(const fs::path& file, const fs::path& trust_dir, Log& log)
{
  UnpackedBundle unpacked{make_temp_directory("compose-bundle"), {}, {}, {}};
  unpacked.root = unpacked.directory.path() / "bundle";
  log.step("unpack " + file.string());
  unpacked.manifest = bundle::unpack_bundle(file, unpacked.root);
  unpacked.summary = pipeline::verify_bundle(unpacked.root, unpacked.manifest, trust_dir, log);
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
  const std::string digest = pipeline::write_bundle(inputs, build, output);
  log.step("bundle sha256:" + digest);
  std::printf("%s\n", output.c_str());
  return 0;
}

int run_verify(const std::string& file, const std::string& trust_dir, Verbosity verbosity)
{
  Log log(verbosity);
  const UnpackedBundle unpacked = unpack_and_verify(file, trust_dir, log);
  const pipeline::BundleSummary& summary = unpacked.summary;
  std::printf("%s: ok (%zu recipe(s), %zu members: %zu signed indexes, %zu packages, %zu pinned "
              "files, %zu keys)\n",
              file.c_str(), summary.recipes, unpacked.manifest.members.size(), summary.indexes,
              summary.packages, summary.files, summary.keys);
  return 0;
}

int run_build_from_bundle(const CommonOptions& options, const std::string& bundle_file,
                          const std::string& out_dir)
{
  Log log(verbosity_of(options));
  // Verified before anything is built: a bad bundle writes nothing to out/.
  const UnpackedBundle unpacked = unpack_and_verify(bundle_file, options.trust_dir, log);
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
  // Every transfer goes into the unpacked bundle; a URL it lacks fails, never the network.
  build.fetch.mirrors = bundle::bundle_mirrors(unpacked.root);
  build.fetch.mirrors_only = "the bundle " + quote(bundle_file);
  build.fetch.repositories = pipeline::repository_mirrors(recipe); // their index ceilings
  return build_and_print(recipe, build, log);
}

} // namespace compose::cli
