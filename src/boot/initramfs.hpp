// The boot initramfs: busybox, our /init and the kernel modules an image needs, as one
// deterministic newc cpio archive.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace compose::boot {

struct InitramfsInputs {
  std::filesystem::path busybox;          // a static busybox (Debian: busybox-static)
  std::filesystem::path module_directory; // /lib/modules/KVER
  std::vector<std::string> modules;       // names to load; their closure is added
};

struct Initramfs {
  std::string archive;              // the cpio bytes
  std::vector<std::string> modules; // module files in load order ("kernel/…/x.ko")
};

// Builds the archive in memory. The same inputs give the same bytes. Throws Error when
// busybox or a module file cannot be read, or a module is unknown to the kernel.
Initramfs build_initramfs(const InitramfsInputs& inputs);

} // namespace compose::boot
