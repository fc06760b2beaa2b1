// Finds the kernel image and its release: Debian names kernels /boot/vmlinuz-<release>
// and keeps their modules in /lib/modules/<release>.
#include "boot/kernel_files.hpp"

#include <string.h>

#include <algorithm>
#include <vector>

#include "util/error.hpp"

namespace compose::boot {

namespace {

constexpr std::string_view k_prefix = "vmlinuz-";

KernelFiles describe(const std::filesystem::path& kernel,
                     const std::filesystem::path& modules_root)
{
  KernelFiles files;
  files.kernel = kernel;
  const std::string name = kernel.filename().string();
  if (name.starts_with(k_prefix)) {
    files.release = name.substr(k_prefix.size());
    files.module_directory = modules_root / files.release;
  }
  return files;
}

} // namespace

KernelFiles find_kernel(const std::filesystem::path& kernel,
                        const std::filesystem::path& boot_directory,
                        const std::filesystem::path& modules_root)
{
  std::error_code ec;
  if (!kernel.empty()) {
    if (!std::filesystem::is_regular_file(kernel, ec))
      throw Error("no kernel at " + quote(kernel.string()), "--kernel");
    return describe(kernel, modules_root);
  }
  std::vector<std::string> cloud;
  std::vector<std::string> any;
  for (const auto& entry : std::filesystem::directory_iterator(boot_directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(k_prefix) || !entry.is_regular_file(ec))
      continue;
    (name.ends_with("-cloud-amd64") ? cloud : any).push_back(name);
  }
  std::vector<std::string>& candidates = cloud.empty() ? any : cloud;
  if (candidates.empty())
    throw Error("no kernel in " + boot_directory.string(), "compose boot",
                "install linux-image-cloud-amd64, or pass --kernel FILE --initrd FILE");
  // Version order, so 6.1.0-100 comes after 6.1.0-56.
  std::sort(candidates.begin(), candidates.end(), [](const std::string& a, const std::string& b) {
    return ::strverscmp(a.c_str(), b.c_str()) < 0;
  });
  return describe(boot_directory / candidates.back(), modules_root);
}

} // namespace compose::boot
