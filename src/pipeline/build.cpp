// The whole story of a build on one screen; see build.hpp.
#include "pipeline/build.hpp"

#include <algorithm>

#include "overlay/overlays.hpp"
#include "pipeline/alpine_system.hpp"
#include "pipeline/debian_system.hpp"
#include "pipeline/image_outputs.hpp"
#include "pipeline/lock_check.hpp"
#include "pipeline/output_staging.hpp"
#include "pipeline/provenance.hpp"
#include "pipeline/result_report.hpp"
#include "pipeline/sbom_outputs.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

namespace {

// Derived values that must differ between builds of different inputs and be equal for
// builds of the same ones (the ext4 UUID and hash seed come from here).
void set_inputs_digest(const recipe::Recipe& recipe, const std::vector<std::string>& overlay_inputs,
                       StagedSystem& system)
{
  Hasher hasher(DigestAlgorithm::sha256);
  hasher.update("compose-inputs-v1\n" + recipe.digest + "\n" + std::to_string(system.epoch) + "\n");
  for (const InstalledPackage& package : system.packages)
    hasher.update(package.name + " " + package.version + " " + package.sha256 + "\n");
  for (const std::string& input : overlay_inputs)
    hasher.update(input + "\n");
  system.inputs_digest = hasher.finish_hex();
}

// The [[files]] downloads, each pinned by its SHA-256 (checked before it enters the cache).
std::map<std::string, std::string> fetch_overlay_files(const recipe::Recipe& recipe,
                                                       fetch::Fetcher& fetcher, Log& log)
{
  std::vector<fetch::Request> requests;
  std::vector<std::string> urls;
  for (const recipe::FileSpec& file : recipe.overlays.files)
    if (file.kind == recipe::FileSpec::Kind::url &&
        std::find(urls.begin(), urls.end(), file.url) == urls.end()) {
      fetch::Request request;
      request.urls = {file.url};
      request.sha256 = file.sha256;
      request.display_name = "/" + file.path;
      requests.push_back(std::move(request));
      urls.push_back(file.url);
    }
  std::map<std::string, std::string> downloads;
  if (requests.empty())
    return downloads;
  log.step("fetch " + std::to_string(requests.size()) + " pinned file(s)");
  const std::vector<fetch::Fetched> files = fetcher.fetch_all(requests);
  for (std::size_t i = 0; i < files.size(); ++i)
    downloads[urls[i]] = read_file(files[i].path);
  return downloads;
}

StagedSystem stage_system(const recipe::Recipe& recipe, const BuildOptions& options,
                          fetch::Fetcher& fetcher)
{
  switch (recipe.distribution) {
  case recipe::Distribution::alpine:
    return build_alpine_system(recipe, options, fetcher);
  case recipe::Distribution::debian:
  case recipe::Distribution::ubuntu:
    return build_debian_system(recipe, options, fetcher);
  }
  throw Error("unknown distribution", recipe.where.str());
}

// Packages, then the recipe's overlays, then the digest of everything that went in.
StagedSystem compose_system(const recipe::Recipe& recipe, const BuildOptions& options,
                            fetch::Fetcher& fetcher)
{
  const std::map<std::string, std::string> downloads =
      fetch_overlay_files(recipe, fetcher, *options.log);
  StagedSystem system = stage_system(recipe, options, fetcher);
  options.log->step("apply overlays");
  const overlay::OverlayReport overlays =
      overlay::apply_overlays(recipe, downloads, system.epoch, system.tree);
  for (const std::string& note : overlays.notes)
    options.log->detail(note);
  set_inputs_digest(recipe, overlays.inputs, system);
  return system;
}


} // namespace

Artifacts build(const recipe::Recipe& recipe, const BuildOptions& options)
{
  Log& log = *options.log;
  if (options.lock)
    check_lock(recipe, *options.lock, options.lock_where);
  fetch::Fetcher fetcher(options.fetch);
  StagedSystem system = compose_system(recipe, options, fetcher);
  system.served_elsewhere = fetcher.served_elsewhere();

  OutputStaging staging(options.out_dir, recipe.name);
  // The SBOMs come first so that the image manifest can name them by digest.
  const std::vector<SbomDocument> sboms = make_sboms(recipe, system);
  std::map<std::string, std::string> annotations = provenance_annotations(options);
  annotations.merge(sbom_annotations(sboms));
  std::vector<OutputFile> outputs =
      write_image_outputs(recipe, system, annotations, staging, options);
  for (OutputFile& sbom : write_sboms(sboms, staging, options))
    outputs.push_back(std::move(sbom));
  const std::string result_name = recipe.name + ".result.json";
  write_file_atomic(staging.path_for(result_name), result_json(recipe, system, outputs, options));
  staging.commit();

  outputs.push_back(OutputFile{"result", options.out_dir / result_name, {}, 0, {}});
  log.step("built " + recipe.name + " (" + std::to_string(system.packages.size()) +
           " packages)");
  return Artifacts{outputs, system.warnings};
}

} // namespace compose::pipeline
