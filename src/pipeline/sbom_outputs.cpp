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

std::vector<SbomDocument> make_sboms(const recipe::Recipe& recipe, const StagedSystem& system)
{
  const emit::sbom::Subject subject = sbom_subject(recipe, system);
  std::vector<SbomDocument> documents;
  documents.push_back({"spdx", recipe.name + ".spdx.json", emit::sbom::spdx_json(subject), {}});
  documents.push_back(
      {"cyclonedx", recipe.name + ".cdx.json", emit::sbom::cyclonedx_json(subject), {}});
  for (SbomDocument& document : documents)
    document.sha256 = sha256_hex(document.text);
  return documents;
}

std::map<std::string, std::string> sbom_annotations(const std::vector<SbomDocument>& documents)
{
  std::map<std::string, std::string> annotations;
  for (const SbomDocument& document : documents)
    annotations["compose.sbom." + document.kind] = "sha256:" + document.sha256;
  return annotations;
}

std::vector<OutputFile> write_sboms(const std::vector<SbomDocument>& documents,
                                    OutputStaging& staging, const BuildOptions& options)
{
  std::vector<OutputFile> outputs;
  for (const SbomDocument& document : documents) {
    options.log->step("write " + (options.out_dir / document.file_name).string());
    write_file_atomic(staging.path_for(document.file_name), document.text);
    outputs.push_back(OutputFile{document.kind, options.out_dir / document.file_name,
                                 document.sha256, document.text.size(), {}});
  }
  return outputs;
}

} // namespace compose::pipeline
