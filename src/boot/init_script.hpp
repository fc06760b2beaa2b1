// The /init of compose's boot initramfs, and the fixed lines it prints on the console.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace compose::boot {

// Console markers the boot checks wait for.
inline constexpr std::string_view k_marker_started = "compose-initramfs: started";
inline constexpr std::string_view k_marker_switching = "compose-initramfs: switching to";
inline constexpr std::string_view k_marker_fatal = "compose-initramfs: FATAL:";

// Where the initramfs keeps its modules and the order to load them in.
inline constexpr std::string_view k_module_directory = "lib/modules";
inline constexpr std::string_view k_module_order_file = "etc/compose-modules";

// The busybox applets /init calls; the archive links each to /bin/busybox.
const std::vector<std::string>& init_applets();

// The image's init when the command line names none: the first of these present in the
// image. compose's own entrypoint comes first, so a recipe-built image boots without
// --init; /sbin/init covers every other image.
const std::vector<std::string>& default_inits();

// The shell script run as /init by busybox sh.
std::string init_script();

} // namespace compose::boot
