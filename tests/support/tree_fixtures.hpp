// Trees for the emitter tests: one with every kind of entry the writers must keep, and
// one loaded from a host directory (for benchmarks against tools that read directories).
#pragma once

#include <filesystem>

#include "stage/tree.hpp"

namespace compose::testing {

// Directories, files of several modes (setuid, setgid, sticky), an empty file, a 3 MiB
// file, a sparse file (an all-zero MiB in the middle and a zero tail), fast and slow
// symlinks, a file with three names, fifo, socket, character and block devices (old and
// new number encodings), security.capability and user.* xattrs, owners above 65535, a
// 255-byte name, deep nesting and a directory of 2500 files.
stage::Tree representative_tree();

// Everything under `directory` (lstat, no following symlinks): modes, owners, contents,
// symlink targets, device numbers and hard links; xattrs only when `with_xattrs`.
// Throws Error for unreadable entries.
stage::Tree load_directory(const std::filesystem::path& directory, bool with_xattrs = false);

} // namespace compose::testing
