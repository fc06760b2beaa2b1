// The whole story of a build on one screen; see build.hpp.
#include "pipeline/build.hpp"

#include "emit/tar/rootfs_tar.hpp"
#include "pipeline/alpine_system.hpp"
#include "pipeline/output_staging.hpp"
#include "pipeline/result_report.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

namespace {

StagedSystem stage_system(const recipe::Recipe& recipe, const BuildOptions& options,
                          fetch::Fetcher& fetcher)
{
  switch (recipe.distribution) {
  case recipe::Distribution::alpine:
    return build_alpine_system(recipe, options, fetcher);
  case recipe::Distribution::debian:
  case recipe::Distribution::ubuntu:
    break;
  }
  throw Error(std::string("building ") + recipe::distribution_name(recipe.distribution) +
                  " recipes is not supported yet",
              recipe.where.str());
}

OutputFile describe(const std::string& kind, const fs::path& staged, const fs::path& placed)
{
  return OutputFile{kind, placed, sha256_file_hex(staged), fs::file_size(staged)};
}

std::vector<OutputFile> emit_outputs(const recipe::Recipe& recipe, const StagedSystem& system,
                                     std::int64_t epoch, OutputStaging& staging,
                                     const BuildOptions& options)
{
  std::vector<OutputFile> outputs;
  for (const std::string& format : recipe.outputs.formats) {
    if (format == "rootfs-tar") {
      const std::string name = recipe.name + ".rootfs.tar";
      const fs::path staged = staging.path_for(name);
      options.log->step("write " + (options.out_dir / name).string());
      emit::write_rootfs_tar(system.tree, staged, emit::TarOptions{epoch});
      outputs.push_back(describe(format, staged, options.out_dir / name));
    } else {
      throw Error("output format " + quote(format) + " is not supported yet", recipe.where.str());
    }
  }
  return outputs;
}

} // namespace

Artifacts build(const recipe::Recipe& recipe, const BuildOptions& options)
{
  Log& log = *options.log;
  fetch::Fetcher fetcher(options.fetch);
  const StagedSystem system = stage_system(recipe, options, fetcher);
  const std::int64_t epoch = options.epoch.value_or(system.newest_build_time);

  OutputStaging staging(options.out_dir);
  std::vector<OutputFile> outputs = emit_outputs(recipe, system, epoch, staging, options);
  const std::string result_name = recipe.name + ".result.json";
  write_file_atomic(staging.path_for(result_name), result_json(recipe, system, epoch, outputs));
  staging.commit();

  outputs.push_back(OutputFile{"result", options.out_dir / result_name, {}, 0});
  log.step("built " + recipe.name + " (" + std::to_string(system.packages.size()) +
           " packages)");
  return Artifacts{outputs, system.warnings};
}

} // namespace compose::pipeline
