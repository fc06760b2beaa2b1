// This binary's provenance and its OCI annotations; see provenance.hpp.
#include "pipeline/provenance.hpp"

#include <archive.h>
#include <ext2fs/ext2fs.h>
#include <openssl/crypto.h>
#include <rnp/rnp.h>
#include <zlib.h>
#include <zstd.h>

#include "util/hash.hpp"

namespace compose::pipeline {

namespace {

std::string archive_version()
{
  // "libarchive 3.6.2": the number only.
  std::string text = archive_version_string();
  const std::size_t space = text.rfind(' ');
  return space == std::string::npos ? text : text.substr(space + 1);
}

std::string ext2fs_version()
{
  const char* version = nullptr;
  const char* date = nullptr;
  ext2fs_get_library_version(&version, &date);
  return version ? version : "";
}

Provenance compute()
{
  Provenance provenance;
  provenance.compose_version = COMPOSE_VERSION;
  provenance.source_digest = std::string("sha256:") + k_source_digest;
  provenance.libraries = {{"libarchive", archive_version()},
                          {"libext2fs", ext2fs_version()},
                          {"librnp", rnp_version_string()},
                          {"openssl", OpenSSL_version(OPENSSL_VERSION_STRING)},
                          {"zlib", zlibVersion()},
                          {"zstd", ZSTD_versionString()}};
  return provenance;
}

} // namespace

const Provenance& this_build()
{
  static const Provenance provenance = compute();
  return provenance;
}

std::string libraries_text(const Provenance& provenance)
{
  std::string text;
  for (const auto& [name, version] : provenance.libraries)
    text += (text.empty() ? "" : ",") + name + "=" + version;
  return text;
}

std::map<std::string, std::string> provenance_annotations(const BuildOptions& options)
{
  const Provenance& provenance = this_build();
  std::map<std::string, std::string> annotations = {
      {"compose.version", provenance.compose_version},
      {"compose.source-digest", provenance.source_digest},
      {"compose.libraries", libraries_text(provenance)}};
  if (options.lock)
    annotations["compose.lock"] = "sha256:" + sha256_hex(lock::lock_json(*options.lock));
  return annotations;
}

} // namespace compose::pipeline
