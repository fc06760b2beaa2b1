// Booting an image's ext4 with no initramfs (`compose boot --direct`): the kernel mounts
// /dev/vda itself and starts /bin/sh of the image as init, which adds the SSH key (what the
// initramfs does otherwise) and execs the image's init as PID 1. The script travels in an
// environment word of the kernel command line, the only channel a bare kernel has.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace compose::boot {

inline constexpr std::string_view k_marker_direct_starting = "compose-direct: starting";
inline constexpr std::string_view k_marker_direct_fatal = "compose-direct: FATAL:";

struct DirectInit {
  std::string init = "/bin/sh";
  std::vector<std::pair<std::string, std::string>> environment;
  std::vector<std::string> arguments;
};

// `users` get `public_key` (one authorized_keys line); with root among them, root key logins
// are allowed for this boot. `init` empty: the first of default_inits() the image has.
// Throws Error when the key holds a quote (it is single-quoted in the script).
DirectInit direct_init(const std::vector<std::string>& users, const std::string& public_key,
                       const std::string& init);

} // namespace compose::boot
