// Reads an .oci.tar back and checks it against itself: every blob's digest and size against
// the descriptors that name it, and the layer's diff_id against the config. Lists tags,
// platform and the layer's entries so users can check an artifact they were handed.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace compose::emit::oci {

struct OciReport {
  std::vector<std::string> tags;
  std::string platform;         // "linux/amd64"
  std::string manifest_digest;  // of the first manifest
  std::vector<std::string> entries; // "drwxr-xr-x 0/0 0 etc/" per layer entry
  std::vector<std::string> problems; // empty when every check passed
};

// Throws Error when the file is not a readable tar or lacks index.json/oci-layout.
OciReport inspect_oci_archive(const std::filesystem::path& file);
std::string format_report(const OciReport& report);

} // namespace compose::emit::oci
