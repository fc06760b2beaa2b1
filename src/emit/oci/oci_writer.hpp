// The tree as an OCI image layout in one tarball (oci-layout, index.json, blobs/sha256/…):
// one layer (the rootfs tar stream, gzip or zstd), an image config from the recipe, one
// manifest, and one index.json descriptor per tag. Same tree and options, same bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

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
};

struct OciResult {
  std::string manifest_digest, config_digest, layer_digest, diff_id; // "sha256:<hex>"
  std::uint64_t manifest_size = 0, config_size = 0, layer_size = 0;
  std::string file_sha256; // of the .oci.tar
  std::uint64_t file_size = 0;
  std::vector<std::string> tags;
};

// OCI platform names: x86_64 -> amd64, aarch64 -> arm64/v8, … Throws Error for unknown ones.
std::pair<std::string, std::string> oci_platform(const std::string& architecture);

// Writes `destination` atomically; the layer blob is staged in `destination`'s directory.
// Throws Error (unknown compression or architecture, I/O) and leaves nothing behind.
OciResult write_oci_archive(const stage::Tree& tree, const recipe::ImageConfig& image,
                            const OciOptions& options, const std::filesystem::path& destination);

} // namespace compose::emit::oci
