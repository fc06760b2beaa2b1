// The kernel command line `compose boot` passes: console, root disk, init, the guest's
// address (applied by our initramfs, since Debian kernels lack IP_PNP) and the SSH key.
#pragma once

#include <string>
#include <vector>

namespace compose::boot {

struct KernelCommandLine {
  std::string root = "/dev/vda";
  std::string init; // empty: no init= word, the initramfs picks the image's init
  // QEMU's user network: guest 10.0.2.15, gateway 10.0.2.2.
  std::string ip = "10.0.2.15::10.0.2.2:255.255.255.0::eth0:off";
  std::vector<std::string> users; // accounts that get the key
  std::string public_key;         // one authorized_keys line
  std::vector<std::string> extra; // appended as given
};

// One line of space-separated words. Throws Error when a value holds whitespace (the
// kernel would split it), a given init is not an absolute path, a user name is not a plain
// account name, or the line exceeds the 2048 bytes x86 kernels accept.
std::string format_kernel_command_line(const KernelCommandLine& line);

} // namespace compose::boot
