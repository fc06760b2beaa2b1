// `compose inspect FILE`: lists an output and checks it against its own metadata, so users
// can check an artifact they were handed. Exit 1 when a check fails.
#include <cstdio>
#include <filesystem>

#include "cli/verbs.hpp"
#include "emit/ext4/ext4_inspect.hpp"
#include "emit/oci/oci_inspect.hpp"
#include "util/error.hpp"

namespace compose::cli {

int run_inspect(const std::string& file)
{
  const std::filesystem::path path(file);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw Error("no such output file", file);
  if (path.extension() == ".ext4" || path.extension() == ".img") {
    const emit::Ext4Report report = emit::inspect_ext4(path);
    std::fputs(emit::format_report(report).c_str(), stdout);
    if (!report.problems.empty())
      throw Error(std::to_string(report.problems.size()) + " problem(s) found in the ext4 image",
                  file, "the image is damaged; rebuild it or fetch it again");
    return 0;
  }
  if (path.extension() == ".tar" || path.extension() == ".oci") {
    const emit::oci::OciReport report = emit::oci::inspect_oci_archive(path);
    std::fputs(emit::oci::format_report(report).c_str(), stdout);
    if (!report.problems.empty())
      throw Error(std::to_string(report.problems.size()) + " problem(s) found in the OCI archive",
                  file, "the archive was changed after it was built; fetch it again");
    return 0;
  }
  throw UsageError("cannot inspect " + quote(file), "",
                   "inspect knows .ext4 images and .oci.tar image layouts");
}

} // namespace compose::cli
