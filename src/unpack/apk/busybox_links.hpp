// BusyBox applet links (apk-format §9): what "busybox --install -s" does, read from the
// /etc/busybox-paths.d/ manifests the busybox packages ship, so no binary has to run.
#pragma once

#include <cstddef>
#include <cstdint>

#include "stage/tree.hpp"

namespace compose::unpack::apk {

// When /bin/busybox exists: for each line of each file in etc/busybox-paths.d/ (sorted),
// makes "<path> -> /bin/busybox" unless something already exists there (real binaries
// win), creating missing parents 0755. Returns the number of links made. Throws Error when
// /bin/busybox exists but no manifest does (an old busybox we cannot reproduce).
std::size_t make_busybox_links(stage::Tree& tree, std::int64_t mtime);

} // namespace compose::unpack::apk
