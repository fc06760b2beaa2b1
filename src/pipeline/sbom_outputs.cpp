// SBOM outputs of a build; see sbom_outputs.hpp.
#include "pipeline/sbom_outputs.hpp"

#include "emit/sbom/cyclonedx_writer.hpp"
#include "emit/sbom/spdx_writer.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace compose::pipeline {

emit::sbom::Subject sbom_subject(const recipe::Recipe& recipe, const StagedSystem& system)
{
  emit::sbom::Subject subject;
  subject.name = recipe.name;
  subject.format = recipe.distribution == recipe::Distribution::alpine
                       ? emit::sbom::PackageFormat::apk
                       : emit::sbom::PackageFormat::deb;
  subject.distribution = recipe::distribution_name(recipe.distribution);
  subject.release = recipe.release;
  subject.architecture = recipe.architecture;
  subject.epoch = system.epoch;
  subject.inputs_digest = system.inputs_digest;
  subject.tool_version = COMPOSE_VERSION;
  for (const InstalledPackage& package : system.packages)
    subject.components.push_back({package.name, package.version, package.architecture,
                                  package.license, package.supplier, package.origin,
                                  package.homepage, package.description, package.download_url,
                                  package.sha256, package.checksums, package.depends_on});
  return subject;
}

std::vector<OutputFile> write_sboms(const recipe::Recipe& recipe, const StagedSystem& system,
                                    OutputStaging& staging, const BuildOptions& options)
{
  const emit::sbom::Subject subject = sbom_subject(recipe, system);
  const std::pair<std::string, std::string> documents[] = {
      {"spdx", recipe.name + ".spdx.json"},
      {"cyclonedx", recipe.name + ".cdx.json"},
  };
  std::vector<OutputFile> outputs;
  for (const auto& [kind, name] : documents) {
    options.log->step("write " + (options.out_dir / name).string());
    const std::string text =
        kind == "spdx" ? emit::sbom::spdx_json(subject) : emit::sbom::cyclonedx_json(subject);
    write_file_atomic(staging.path_for(name), text);
    outputs.push_back(OutputFile{kind, options.out_dir / name, sha256_hex(text), text.size(), {}});
  }
  return outputs;
}

} // namespace compose::pipeline
