// One tar stream for the rootfs tarball and the OCI layer, ext4 beside it; see image_outputs.hpp.
#include "pipeline/image_outputs.hpp"

#include <algorithm>
#include <future>
#include <optional>

#include "emit/ext4/ext4_writer.hpp"
#include "emit/oci/oci_writer.hpp"
#include "emit/tar/rootfs_tar.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

namespace {

constexpr const char* k_formats[] = {"rootfs-tar", "oci", "ext4"};

bool wants(const recipe::Recipe& recipe, const std::string& format)
{
  const std::vector<std::string>& formats = recipe.outputs.formats;
  return std::find(formats.begin(), formats.end(), format) != formats.end();
}

emit::oci::OciOptions oci_options(const recipe::Recipe& recipe, const StagedSystem& system,
                                  const std::map<std::string, std::string>& annotations,
                                  const BuildOptions& options)
{
  emit::oci::OciOptions oci;
  oci.threads = options.threads;
  if (!options.fetch.cache_dir.empty())
    oci.block_cache = options.fetch.cache_dir / "gzip-blocks";
  oci.epoch = system.epoch;
  oci.architecture = recipe.architecture;
  oci.compression = recipe.outputs.layer_compression;
  oci.created_by = std::string("compose ") + COMPOSE_VERSION + " " + recipe.name;
  oci.annotations = annotations;
  return oci;
}

OutputFile oci_output(const fs::path& path, const emit::oci::OciResult& result)
{
  OutputFile output{"oci", path, result.file_sha256, result.file_size, {}};
  output.details = {{"manifest", result.manifest_digest}, {"config", result.config_digest},
                    {"layer", result.layer_digest},       {"diff_id", result.diff_id},
                    {"layer_size", std::to_string(result.layer_size)},
                    {"layer_engine", result.layer_engine}};
  return output;
}

// "; 440 of 453 members from the block cache" when there is one.
std::string reuse_note(const emit::oci::OciResult& result)
{
  const emit::oci::GzipBlockCache::Counts& reuse = result.layer_reuse;
  if (reuse.reused == 0 && reuse.damaged == 0 && reuse.stored == 0)
    return "";
  std::string note = "; " + std::to_string(reuse.reused) + " of " +
                     std::to_string(result.layer_members) + " members from the block cache";
  if (reuse.damaged)
    note += ", " + std::to_string(reuse.damaged) + " damaged entries compressed again";
  return note;
}

} // namespace

std::vector<OutputFile> write_image_outputs(
    const recipe::Recipe& recipe, const StagedSystem& system,
    const std::map<std::string, std::string>& manifest_annotations, OutputStaging& staging,
    const BuildOptions& options)
{
  for (const std::string& format : recipe.outputs.formats)
    if (std::find(std::begin(k_formats), std::end(k_formats), format) == std::end(k_formats))
      throw Error("output format " + quote(format) + " is not supported yet", recipe.where.str());
  Log& log = *options.log;
  std::map<std::string, OutputFile> written;

  // ext4 first, on its own thread: it needs no tar stream, only the tree, which nothing
  // changes any more. (The future's destructor waits for it if the tar stream throws.)
  const fs::path ext4_path = options.out_dir / (recipe.name + ".ext4");
  fs::path ext4_staged;
  std::future<emit::Ext4Result> ext4;
  if (wants(recipe, "ext4")) {
    ext4_staged = staging.path_for(ext4_path.filename().string());
    log.step("write " + ext4_path.string());
    const emit::Ext4Options ext4_options{system.epoch, system.inputs_digest, recipe.outputs.ext4};
    ext4 = std::async(std::launch::async, [&system, ext4_options, &ext4_staged, &log] {
      emit::Ext4Result result = emit::write_ext4(system.tree, ext4_options, ext4_staged);
      log.detail("ext4 image written");
      return result;
    });
  }

  // The tar stream, generated once: the rootfs tarball and the OCI layer are the same bytes.
  const fs::path rootfs_path = options.out_dir / (recipe.name + ".rootfs.tar");
  const fs::path oci_path = options.out_dir / (recipe.name + ".oci.tar");
  std::optional<AtomicFile> rootfs;
  std::optional<emit::oci::OciArchiveWriter> oci;
  if (wants(recipe, "rootfs-tar")) {
    rootfs.emplace(staging.path_for(rootfs_path.filename().string()));
    log.step("write " + rootfs_path.string());
  }
  if (wants(recipe, "oci")) {
    oci.emplace(recipe.image, oci_options(recipe, system, manifest_annotations, options),
                staging.path_for(oci_path.filename().string()));
    log.step("write " + oci_path.string());
  }
  if (rootfs || oci) {
    // The layer's diff_id is the tarball's SHA-256; hash here only when there is no layer.
    std::optional<Hasher> rootfs_hash;
    if (!oci)
      rootfs_hash.emplace(DigestAlgorithm::sha256);
    std::uint64_t rootfs_size = 0;
    emit::write_tar_stream(system.tree, emit::TarOptions{system.epoch},
                           [&](std::string_view bytes) {
                             if (rootfs) {
                               rootfs->write(bytes);
                               rootfs_size += bytes.size();
                               if (rootfs_hash)
                                 rootfs_hash->update(bytes);
                             }
                             if (oci)
                               oci->write_layer(bytes);
                           });
    if (rootfs)
      rootfs->commit();
    log.detail("tar stream written");
    std::string rootfs_sha256;
    if (oci) {
      const emit::oci::OciResult result = oci->finish();
      log.detail("OCI archive written (" + result.layer_engine + ")" + reuse_note(result));
      written.emplace("oci", oci_output(oci_path, result));
      rootfs_sha256 = result.diff_id.substr(std::string_view("sha256:").size());
    } else {
      rootfs_sha256 = rootfs_hash->finish_hex();
    }
    if (rootfs)
      written.emplace("rootfs-tar",
                      OutputFile{"rootfs-tar", rootfs_path, rootfs_sha256, rootfs_size, {}});
  }
  if (ext4.valid()) {
    const emit::Ext4Result result = ext4.get();
    written.emplace("ext4", OutputFile{"ext4", ext4_path, result.sha256, result.size_bytes, {}});
  }

  std::vector<OutputFile> outputs;
  for (const std::string& format : recipe.outputs.formats)
    outputs.push_back(written.at(format));
  return outputs;
}

} // namespace compose::pipeline
