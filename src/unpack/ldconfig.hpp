// ldconfig, reproduced on the tree instead of run: what glibc 2.36's `ldconfig` (as
// libc-bin's postinst and its "ldconfig" trigger call it) does to a Debian or Ubuntu root —
// read /etc/ld.so.conf and its includes, add the trusted directories, read the ELF shared
// libraries there, make the SONAME symbolic links that are missing, remove stale ".so."
// links, and write /etc/ld.so.cache (ld_so_cache.hpp).
//
// Only glibc systems have a cache: musl (Alpine) reads /etc/ld-musl-$ARCH.path and never
// looks for /etc/ld.so.cache, so the Alpine path has nothing to reproduce.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stage/tree.hpp"

namespace compose::unpack {

struct LdconfigReport {
  bool written = false;          // etc/ld.so.cache was written
  std::size_t libraries = 0;     // entries in the cache
  std::vector<std::string> links;    // "/lib/x86_64-linux-gnu/libfoo.so.1 -> libfoo.so.1.2"
  std::vector<std::string> removed;  // stale links ldconfig deletes
  std::vector<std::string> left_out; // what this reproduction does not do, for warnings
};

// True when run_ldconfig() will write the cache: the tree has glibc's ldconfig
// (sbin/ldconfig) and the Debian architecture is one whose ldconfig we reproduce (amd64,
// arm64).
bool ldconfig_applies(const stage::Tree& tree, const std::string& architecture);

// Does what `ldconfig` does with no arguments inside the image; nothing (and an empty
// report) when ldconfig_applies() is false. New links and the cache get `epoch`, owner
// root, modes 0777 and 0644. Never throws for the tree's content: unreadable files are
// skipped as ldconfig skips them.
LdconfigReport run_ldconfig(stage::Tree& tree, const std::string& architecture,
                            std::int64_t epoch);

} // namespace compose::unpack
