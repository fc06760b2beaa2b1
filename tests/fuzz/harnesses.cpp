// The harness table and the helpers every harness shares.
#include "harness.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "util/error.hpp"

namespace compose::fuzz {

const std::vector<Harness>& harnesses()
{
  static const std::vector<Harness> table = {
      {"apk_script", fuzz_apk_script},
      {"apk_version", fuzz_apk_version},
      {"apkindex", fuzz_apkindex},
      {"ar", fuzz_ar},
      {"bundle_manifest", fuzz_bundle_manifest},
      {"deb", fuzz_deb},
      {"deb822", fuzz_deb822},
      {"deb_script", fuzz_deb_script},
      {"deb_version", fuzz_deb_version},
      {"gzip_members", fuzz_gzip_members},
      {"inspect_ext4", fuzz_inspect_ext4},
      {"inspect_oci", fuzz_inspect_oci},
      {"lock", fuzz_lock},
      {"openpgp", fuzz_openpgp},
      {"pkginfo", fuzz_pkginfo},
      {"recipe", fuzz_recipe},
      {"release", fuzz_release},
      {"shell", fuzz_shell},
      {"tar", fuzz_tar},
  };
  return table;
}

void expect_errors(const std::function<void()>& parse)
{
  try {
    parse();
  } catch (const Error&) {
  }
}

std::vector<std::string_view> split_input(std::string_view input, std::string_view separator,
                                          std::size_t parts)
{
  std::vector<std::string_view> pieces;
  while (pieces.size() + 1 < parts) {
    const std::size_t at = input.find(separator);
    if (at == std::string_view::npos)
      break;
    pieces.push_back(input.substr(0, at));
    input.remove_prefix(at + separator.size());
  }
  pieces.push_back(input);
  return pieces;
}

namespace {

// The scratch files this process made, removed when it exits (a crash leaves them to look at).
struct ScratchFiles {
  std::set<std::filesystem::path> paths;
  ~ScratchFiles()
  {
    for (const std::filesystem::path& path : paths) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  }
};

} // namespace

std::filesystem::path scratch_file(std::string_view input, const std::string& suffix)
{
  static ScratchFiles made;
  const char* tmpdir = std::getenv("TMPDIR");
  const std::filesystem::path path =
      std::filesystem::path(tmpdir && *tmpdir ? tmpdir : "/tmp") /
      ("compose-fuzz-" + std::to_string(::getpid()) + suffix);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(input.data(), static_cast<std::streamsize>(input.size()));
  if (!out.flush())
    std::abort(); // the harness itself cannot run: not a finding in the parser
  made.paths.insert(path);
  return path;
}

} // namespace compose::fuzz
