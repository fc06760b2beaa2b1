// OCI image layout tarball; see oci_writer.hpp. Layout facts: formats/oci-ext4.md Part A.
#include "emit/oci/oci_writer.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <nlohmann/json.hpp>

#include <ctime>
#include <fstream>

#include "emit/tar/rootfs_tar.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/handles.hpp"
#include "util/hash.hpp"
#include "util/json_output.hpp"
#include "util/utc_text.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace compose::emit::oci {

namespace {

constexpr const char* k_manifest_type = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* k_config_type = "application/vnd.oci.image.config.v1+json";
constexpr const char* k_index_type = "application/vnd.oci.image.index.v1+json";

std::string rfc3339(std::int64_t epoch)
{
  return utc_format(epoch, "%Y-%m-%dT%H:%M:%SZ");
}

json image_config(const recipe::ImageConfig& image, const OciOptions& options,
                  const CompressedLayer& layer)
{
  const auto [architecture, variant] = oci_platform(options.architecture);
  json config = json::object();
  if (!image.env.empty()) {
    json env = json::array();
    for (const auto& [key, value] : image.env)
      env.push_back(key + "=" + value);
    config["Env"] = env;
  }
  if (!image.entrypoint.empty())
    config["Entrypoint"] = image.entrypoint;
  if (!image.cmd.empty())
    config["Cmd"] = image.cmd;
  if (!image.working_dir.empty())
    config["WorkingDir"] = image.working_dir;
  if (!image.user.empty())
    config["User"] = image.user;
  if (!image.stop_signal.empty())
    config["StopSignal"] = image.stop_signal;
  if (!image.exposed_ports.empty()) {
    json ports = json::object();
    for (const std::string& port : image.exposed_ports)
      ports[port] = json::object();
    config["ExposedPorts"] = ports;
  }
  if (!image.labels.empty())
    config["Labels"] = image.labels;

  json document = {{"architecture", architecture},
                   {"os", "linux"},
                   {"created", rfc3339(options.epoch)},
                   {"config", config},
                   {"rootfs", {{"type", "layers"}, {"diff_ids", {"sha256:" + layer.diff_id}}}},
                   {"history",
                    {{{"created", rfc3339(options.epoch)}, {"created_by", options.created_by}}}}};
  if (!variant.empty())
    document["variant"] = variant;
  return document;
}

struct Blob {
  std::string hex;
  std::string bytes; // empty when the blob lives in `file`
  fs::path file;
  std::uint64_t size = 0;
};

// The archive file, hashed as it is written (no second read of it afterwards).
struct HashedFile {
  AtomicFile file;
  Hasher hasher{DigestAlgorithm::sha256};
  std::uint64_t size = 0;
};

la_ssize_t write_to_file(archive*, void* user, const void* buffer, size_t length)
{
  auto* out = static_cast<HashedFile*>(user);
  const std::string_view bytes(static_cast<const char*>(buffer), length);
  try {
    out->file.write(bytes);
  } catch (const std::exception&) {
    return -1;
  }
  out->hasher.update(bytes);
  out->size += length;
  return static_cast<la_ssize_t>(length);
}

void add_entry(archive* writer, const std::string& path, bool directory, std::uint64_t size,
               std::int64_t epoch)
{
  ArchiveEntry entry(archive_entry_new());
  archive_entry_copy_pathname(entry.get(), path.c_str());
  archive_entry_set_mode(entry.get(), directory ? (AE_IFDIR | 0755) : (AE_IFREG | 0644));
  archive_entry_set_size(entry.get(), directory ? 0 : static_cast<la_int64_t>(size));
  archive_entry_set_mtime(entry.get(), epoch, 0);
  archive_entry_set_uid(entry.get(), 0);
  archive_entry_set_gid(entry.get(), 0);
  if (archive_write_header(writer, entry.get()) != ARCHIVE_OK)
    throw Error(std::string("cannot write OCI archive: ") + archive_error_string(writer), path);
}

void add_bytes(archive* writer, const std::string& path, const std::string& bytes,
               std::int64_t epoch)
{
  add_entry(writer, path, false, bytes.size(), epoch);
  if (!bytes.empty() &&
      archive_write_data(writer, bytes.data(), bytes.size()) != static_cast<la_ssize_t>(bytes.size()))
    throw Error(std::string("cannot write OCI archive: ") + archive_error_string(writer), path);
}

void add_file(archive* writer, const std::string& path, const fs::path& file, std::uint64_t size,
              std::int64_t epoch)
{
  add_entry(writer, path, false, size, epoch);
  std::ifstream in(file, std::ios::binary);
  std::string buffer(1 << 20, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got && archive_write_data(writer, buffer.data(), got) != static_cast<la_ssize_t>(got))
      throw Error(std::string("cannot write OCI archive: ") + archive_error_string(writer), path);
  }
}

fs::path layer_path_for(const fs::path& destination)
{
  fs::path layer_path = destination;
  layer_path += ".layer";
  return layer_path;
}

// Both settings are checked before the expensive part starts.
Compression checked_compression(const OciOptions& options)
{
  oci_platform(options.architecture);
  return parse_compression(options.compression, "outputs.layer_compression");
}

} // namespace

std::pair<std::string, std::string> oci_platform(const std::string& architecture)
{
  static const std::map<std::string, std::pair<std::string, std::string>> names = {
      {"x86_64", {"amd64", ""}},  {"amd64", {"amd64", ""}},     {"aarch64", {"arm64", "v8"}},
      {"arm64", {"arm64", "v8"}}, {"armv7", {"arm", "v7"}},     {"armhf", {"arm", "v6"}},
      {"x86", {"386", ""}},       {"i386", {"386", ""}},        {"ppc64le", {"ppc64le", ""}},
      {"ppc64el", {"ppc64le", ""}}, {"s390x", {"s390x", ""}},   {"riscv64", {"riscv64", ""}}};
  const auto found = names.find(architecture);
  if (found == names.end())
    throw Error("no OCI platform name for architecture " + quote(architecture));
  return found->second;
}

OciArchiveWriter::OciArchiveWriter(const recipe::ImageConfig& image, OciOptions options,
                                   fs::path destination)
    : m_image(image), m_options(std::move(options)),
      m_compression(checked_compression(m_options)),
      m_destination(std::move(destination)), m_layer_file(layer_path_for(m_destination)),
      m_compressor(m_compression, m_layer_file.path(), m_options.threads, m_options.block_cache)
{
}

void OciArchiveWriter::write_layer(std::string_view tar_bytes)
{
  m_compressor.write(tar_bytes);
}

OciResult OciArchiveWriter::finish()
{
  const recipe::ImageConfig& image = m_image;
  const OciOptions& options = m_options;
  const fs::path& destination = m_destination;
  const Compression compression = m_compression;
  const fs::path& layer_path = m_layer_file.path();
  // 1. The layer, compressed as the stream came in.
  const CompressedLayer layer = m_compressor.finish();

  // 2. Config, manifest, index (nlohmann::json sorts keys: stable bytes).
  const std::string config = exact_json_text(image_config(image, options, layer), -1, "the OCI image config");
  const std::string config_hex = sha256_hex(config);
  json annotations = options.annotations;
  annotations["org.opencontainers.image.created"] = rfc3339(options.epoch);
  for (const auto& [key, value] : image.annotations)
    annotations[key] = value;
  const json manifest_json = {
      {"schemaVersion", 2},
      {"mediaType", k_manifest_type},
      {"config", {{"mediaType", k_config_type}, {"digest", "sha256:" + config_hex}, {"size", config.size()}}},
      {"layers",
       {{{"mediaType", layer_media_type(compression)},
         {"digest", "sha256:" + layer.digest},
         {"size", layer.size}}}},
      {"annotations", annotations}};
  const std::string manifest = exact_json_text(manifest_json, -1, "the OCI manifest");
  const std::string manifest_hex = sha256_hex(manifest);

  const auto [architecture, variant] = oci_platform(options.architecture);
  json platform = {{"architecture", architecture}, {"os", "linux"}};
  if (!variant.empty())
    platform["variant"] = variant;
  std::vector<std::string> tags = image.tags;
  if (tags.empty())
    tags.push_back("latest");
  json descriptors = json::array();
  for (const std::string& tag : tags)
    descriptors.push_back({{"mediaType", k_manifest_type},
                           {"digest", "sha256:" + manifest_hex},
                           {"size", manifest.size()},
                           {"platform", platform},
                           {"annotations", {{"org.opencontainers.image.ref.name", tag}}}});
  const std::string index =
      exact_json_text(
          json{{"schemaVersion", 2}, {"mediaType", k_index_type}, {"manifests", descriptors}}, -1,
          "the OCI index");

  // 3. The archive: fixed entry order, fixed metadata.
  std::vector<Blob> blobs = {{config_hex, config, {}, config.size()},
                             {manifest_hex, manifest, {}, manifest.size()},
                             {layer.digest, {}, layer_path, layer.size}};
  std::sort(blobs.begin(), blobs.end(), [](const Blob& a, const Blob& b) { return a.hex < b.hex; });

  HashedFile file{AtomicFile(destination)};
  ArchiveWriter writer(archive_write_new());
  archive* a = writer.get();
  archive_write_set_format_pax_restricted(a);
  archive_write_add_filter_none(a);
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open2(a, &file, nullptr, write_to_file, nullptr, nullptr) != ARCHIVE_OK)
    throw Error(std::string("cannot write OCI archive: ") + archive_error_string(a),
                destination.string());
  add_bytes(a, "oci-layout", R"({"imageLayoutVersion":"1.0.0"})", options.epoch);
  add_bytes(a, "index.json", index, options.epoch);
  add_entry(a, "blobs/", true, 0, options.epoch);
  add_entry(a, "blobs/sha256/", true, 0, options.epoch);
  for (const Blob& blob : blobs) {
    const std::string path = "blobs/sha256/" + blob.hex;
    if (blob.file.empty())
      add_bytes(a, path, blob.bytes, options.epoch);
    else
      add_file(a, path, blob.file, blob.size, options.epoch);
  }
  if (archive_write_close(a) != ARCHIVE_OK)
    throw Error(std::string("cannot finish OCI archive: ") + archive_error_string(a),
                destination.string());
  file.file.commit();

  OciResult result;
  result.manifest_digest = "sha256:" + manifest_hex;
  result.manifest_size = manifest.size();
  result.config_digest = "sha256:" + config_hex;
  result.config_size = config.size();
  result.layer_digest = "sha256:" + layer.digest;
  result.layer_size = layer.size;
  result.diff_id = "sha256:" + layer.diff_id;
  result.layer_engine = compression_engine(compression);
  result.layer_members = layer.members;
  result.layer_reuse = layer.reuse;
  result.file_sha256 = file.hasher.finish_hex();
  result.file_size = file.size;
  result.tags = tags;
  return result;
}

OciResult write_oci_archive(const stage::Tree& tree, const recipe::ImageConfig& image,
                            const OciOptions& options, const fs::path& destination)
{
  OciArchiveWriter writer(image, options, destination);
  write_tar_stream(tree, TarOptions{options.epoch},
                   [&](std::string_view bytes) { writer.write_layer(bytes); });
  return writer.finish();
}

} // namespace compose::emit::oci
