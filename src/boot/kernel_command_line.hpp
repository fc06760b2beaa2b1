// The kernel command line `compose boot` passes: console, root disk, init, the guest's
// address (applied by our initramfs, since Debian kernels lack IP_PNP) and the SSH key.
#pragma once

#include <string>
#include <utility>
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
  // Words the kernel does not know go to init: "NAME=value" into its environment, a bare
  // word into its arguments. A value or argument holding spaces is double-quoted (the
  // kernel keeps a quoted word whole), so none may hold a '"'; a bare word with a '.' or
  // '=' would be taken for a module or environment option. Not after "--": QEMU appends
  // its virtio_mmio.device= words at the end, and those must reach the kernel.
  std::vector<std::pair<std::string, std::string>> init_environment;
  std::vector<std::string> init_arguments;
};

// One line of space-separated words. Throws Error when a value holds whitespace (the
// kernel would split it), an init argument or environment value would not reach init
// whole, a given init is not an absolute path, a user name is not a plain
// account name, or the line exceeds the 2048 bytes x86 kernels accept.
std::string format_kernel_command_line(const KernelCommandLine& line);

} // namespace compose::boot
