// The tree as an OCI image layout in one tarball (oci-layout, index.json, blobs/sha256/…):
// one layer (the rootfs tar stream, gzip or zstd), an image config from the recipe, one
// manifest, and one index.json descriptor per tag. Same tree and options, same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "emit/oci/layer_compressor.hpp"
#include "recipe/recipe.hpp"
#include "stage/tree.hpp"

namespace compose::emit::oci {

struct OciOptions {
  std::int64_t epoch = 0;
  std::string architecture;     // distribution spelling (x86_64, aarch64, amd64, …)
  std::string compression = "gzip";
  std::map<std::string, std::string> annotations; // extra manifest annotations
  std::string created_by;       // history entry text
  unsigned threads = 2;
  // Where gzip members of earlier builds' layer blocks are kept (GzipBlockCache); empty:
  // compress every block. Either way the layer is the same bytes.
  std::filesystem::path block_cache;
};

struct OciResult {
  std::string manifest_digest, config_digest, layer_digest, diff_id; // "sha256:<hex>"
  std::string layer_engine; // compression_engine(): what made the layer's bytes
  std::size_t layer_members = 0;       // gzip members in the layer
  GzipBlockCache::Counts layer_reuse;  // of those, copied from / kept in the block cache
  std::uint64_t manifest_size = 0, config_size = 0, layer_size = 0;
  std::string file_sha256; // of the .oci.tar
  std::uint64_t file_size = 0;
  std::vector<std::string> tags;
};

// OCI platform names: x86_64 -> amd64, aarch64 -> arm64/v8, … Throws Error for unknown ones.
std::pair<std::string, std::string> oci_platform(const std::string& architecture);

// Writes one archive from a layer tar stream that someone else produces, so the same stream
// can feed other outputs at the same time. The constructor checks the options (unknown
// compression or architecture: Error) before any byte is compressed; the layer blob is
// staged beside `destination`. finish() writes `destination` atomically; an exception or a
// writer destroyed unfinished leaves nothing behind.
class OciArchiveWriter {
public:
  OciArchiveWriter(const recipe::ImageConfig& image, OciOptions options,
                   std::filesystem::path destination);
  void write_layer(std::string_view tar_bytes);
  OciResult finish();

private:
  recipe::ImageConfig m_image;
  OciOptions m_options;
  Compression m_compression;
  std::filesystem::path m_destination;
  TempPath m_layer_file;
  LayerCompressor m_compressor;
};

// The tree's tar stream as the layer of an OCI archive at `destination` (as above).
OciResult write_oci_archive(const stage::Tree& tree, const recipe::ImageConfig& image,
                            const OciOptions& options, const std::filesystem::path& destination);

} // namespace compose::emit::oci
