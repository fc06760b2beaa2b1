// Which kernel `compose boot` uses and where its modules are: --kernel, else the newest
// Debian cloud kernel in /boot (linux-image-cloud-amd64), else the newest vmlinuz there.
#pragma once

#include <filesystem>
#include <string>

namespace compose::boot {

struct KernelFiles {
  std::filesystem::path kernel;           // /boot/vmlinuz-6.1.0-56-cloud-amd64
  std::string release;                    // 6.1.0-56-cloud-amd64 (empty when unknown)
  std::filesystem::path module_directory; // /lib/modules/<release>
};

// `kernel` empty: search `boot_directory`. Throws Error with an install hint when there is
// no kernel, or the given file does not exist.
KernelFiles find_kernel(const std::filesystem::path& kernel,
                        const std::filesystem::path& boot_directory = "/boot",
                        const std::filesystem::path& modules_root = "/lib/modules");

} // namespace compose::boot
