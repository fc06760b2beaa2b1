// result.json; see result_report.hpp.
#include "pipeline/result_report.hpp"

#include <nlohmann/json.hpp>

#include "pipeline/provenance.hpp"
#include "util/hash.hpp"
#include "util/json_output.hpp"

namespace compose::pipeline {

std::string result_json(const recipe::Recipe& recipe, const StagedSystem& system,
                        const std::vector<OutputFile>& outputs, const BuildOptions& options)
{
  using nlohmann::json;
  json report;
  report["compose_version"] = COMPOSE_VERSION;
  report["recipe"] = {
      {"name", recipe.name},
      {"file", recipe.file.filename().string()},
      {"digest", "sha256:" + recipe.digest},
      {"distribution", recipe::distribution_name(recipe.distribution)},
      {"release", recipe.release},
      {"architecture", recipe.architecture},
  };
  report["release"] = {{"version", recipe.version}, {"point_release", recipe.point_release}};
  const Provenance& provenance = this_build();
  report["provenance"] = {{"compose_version", provenance.compose_version},
                          {"source_digest", provenance.source_digest},
                          {"libraries", provenance.libraries}};
  if (options.lock) {
    // The file name only (no build-machine path); the digest of the lock as compose writes it.
    report["lock"] = {
        {"file", std::filesystem::path(options.lock_where).filename().string()},
        {"sha256", sha256_hex(lock::lock_json(*options.lock))},
    };
    if (!options.lock_signer.empty())
      report["lock"]["signer"] = options.lock_signer;
  }
  if (options.bundle)
    report["bundle"] = {{"file", options.bundle->file},
                        {"sha256", options.bundle->sha256},
                        {"signer", options.bundle->signer}};
  report["epoch"] = system.epoch;
  report["inputs_digest"] = "sha256:" + system.inputs_digest;
  report["world"] = system.world;
  report["keys"] = system.keys;

  json repositories = json::array();
  for (const RepositoryUse& use : system.repositories) {
    json entry = {{"index", use.index_url},
                  {"sha256", use.index_sha256},
                  {"signed_by", use.signed_by},
                  {"description", use.description}};
    if (!use.packages_file.empty())
      entry["packages_file"] = use.packages_file;
    if (!use.packages_missing.empty())
      entry["packages_missing"] = use.packages_missing;
    repositories.push_back(std::move(entry));
  }
  report["repositories"] = repositories;
  if (!system.served_elsewhere.empty())
    report["served_by_other_mirrors"] = system.served_elsewhere;

  json packages = json::array();
  for (const InstalledPackage& package : system.packages) {
    json entry = {{"name", package.name},
                  {"version", package.version},
                  {"architecture", package.architecture},
                  {"license", package.license},
                  {"origin", package.origin},
                  {"url", package.download_url},
                  {"repository", package.repository},
                  {"size", package.size},
                  {"sha256", package.sha256},
                  {"depends", package.depends},
                  {"reason", package.reason}};
    for (const auto& [kind, value] : package.checksums)
      entry["checksums"][kind] = value;
    packages.push_back(std::move(entry));
  }
  report["packages"] = packages;

  json scripts = json::array();
  for (const ScriptEffect& effect : system.scripts)
    scripts.push_back({{"package", effect.package},
                       {"script", effect.script},
                       {"status", effect.status},
                       {"detail", effect.detail}});
  report["scripts"] = scripts;

  json produced = json::array();
  for (const OutputFile& output : outputs) {
    json entry = {{"kind", output.kind},
                  {"file", output.path.filename().string()},
                  {"sha256", output.sha256},
                  {"size", output.size}};
    for (const auto& [key, value] : output.details)
      entry[key] = value;
    produced.push_back(std::move(entry));
  }
  report["outputs"] = produced;
  std::vector<std::string> warnings = options.warnings;
  warnings.insert(warnings.end(), system.warnings.begin(), system.warnings.end());
  report["warnings"] = warnings;
  std::vector<std::string> overrides = options.overrides;
  overrides.insert(overrides.end(), system.overrides.begin(), system.overrides.end());
  report["verification_overrides"] = overrides;
  return report_json_text(report, 2) + "\n";
}

} // namespace compose::pipeline
