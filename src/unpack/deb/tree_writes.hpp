// The entries script effects and the dpkg database add to the tree: paths as a script
// names them ("/usr/bin/awk" or "usr/bin/awk"), parents resolved through the merged-/usr
// links and created when missing, owned by root unless said, stamped with the build epoch.
#pragma once

#include <cstdint>
#include <string>

#include "stage/tree.hpp"

namespace compose::unpack::deb {

void write_file(stage::Tree& tree, const std::string& path, std::string bytes, std::uint32_t mode,
                std::int64_t epoch, std::uint32_t gid = 0);
void write_symlink(stage::Tree& tree, const std::string& path, const std::string& target,
                   std::int64_t epoch);
void write_directory(stage::Tree& tree, const std::string& path, std::uint32_t mode,
                     std::int64_t epoch, std::uint32_t uid = 0, std::uint32_t gid = 0);

} // namespace compose::unpack::deb
