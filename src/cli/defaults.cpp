// Defaults for build options; see defaults.hpp.
#include "cli/defaults.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <thread>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace compose::cli {

namespace {

bool holds_trust_config(const fs::path& directory)
{
  std::error_code ec;
  if (!fs::is_directory(directory, ec))
    return false;
  for (const auto& entry : fs::directory_iterator(directory, ec))
    if (entry.path().extension() == ".toml")
      return true;
  return false;
}

fs::path executable_dir()
{
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self.parent_path();
}

} // namespace

fs::path find_trust_dir(const CommonOptions& options)
{
  if (!options.trust_dir.empty())
    return options.trust_dir;
  if (const char* env = std::getenv("COMPOSE_TRUST_DIR"); env && *env)
    return env;
  std::error_code ec;
  fs::path directory = fs::absolute(options.recipe, ec).parent_path();
  for (int depth = 0; depth < 8 && !directory.empty(); ++depth) {
    if (holds_trust_config(directory / "keys"))
      return directory / "keys";
    if (directory == directory.root_path())
      break;
    directory = directory.parent_path();
  }
  const fs::path exe = executable_dir();
  for (const fs::path& candidate : {exe.parent_path() / "keys", exe / ".." / "share" / "compose" / "keys"})
    if (!exe.empty() && holds_trust_config(candidate))
      return candidate;
  throw UsageError("no trust configuration (keys/*.toml) found above " + quote(options.recipe),
                   "", "pass --trust-dir DIR or set COMPOSE_TRUST_DIR");
}

std::optional<std::int64_t> epoch_from_environment()
{
  const char* text = std::getenv("SOURCE_DATE_EPOCH");
  if (!text || !*text)
    return std::nullopt;
  const std::string value = text;
  std::int64_t epoch = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), epoch);
  if (error != std::errc() || end != value.data() + value.size() || epoch < 0)
    throw UsageError("SOURCE_DATE_EPOCH must be a non-negative integer, found " + quote(value));
  return epoch;
}

verify::SignerAnchors signer_anchors(const CommonOptions& options,
                                     const std::vector<std::string>& fingerprints,
                                     const fs::path& trust_dir)
{
  verify::SignerAnchors anchors;
  for (const std::string& fingerprint : fingerprints)
    anchors.fingerprints.push_back(verify::normalize_fingerprint(fingerprint));
  for (const std::string& keyring : options.signer_keyrings)
    anchors.keyrings.emplace_back(keyring);
  anchors.trust_dir = trust_dir;
  for (const std::string& directory : options.keys_dirs)
    anchors.keys_dirs.emplace_back(directory);
  return anchors;
}

pipeline::BuildOptions build_options(const CommonOptions& options, Log& log)
{
  pipeline::BuildOptions build;
  build.trust_dir = find_trust_dir(options);
  for (const std::string& directory : options.keys_dirs)
    build.keys_dirs.emplace_back(directory);
  build.epoch = epoch_from_environment();
  build.fetch.cache_dir =
      options.cache_dir.empty() ? fetch::default_cache_dir() : fs::path(options.cache_dir);
  build.fetch.offline = options.offline;
  build.allow_expired_release = options.allow_expired_release;
  build.allow_expired_key = options.allow_expired_key;
  build.fetch.parallel = options.jobs;
  build.fetch.stall_seconds = options.stall_timeout;
  build.fetch.file_timeout_seconds = options.file_timeout;
  build.fetch.retries = options.retries;
  // Compression threads beyond the cores only cost memory; the bytes are the same either way.
  build.threads = std::clamp(std::thread::hardware_concurrency(), 1u, std::max(1u, options.jobs));
  build.fetch.log = &log;
  build.log = &log;
  return build;
}

} // namespace compose::cli
