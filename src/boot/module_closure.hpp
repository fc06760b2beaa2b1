// Which kernel modules an initramfs must load, and in what order: the closure of a list of
// module names over the kernel's modules.dep, modules.softdep and modules.alias, the way
// `modprobe --show-depends` walks them.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace compose::boot {

// The module tables of one kernel (/lib/modules/KVER), keyed by module name with '-' as '_'.
struct ModuleDatabase {
  std::map<std::string, std::string> paths;                     // name -> "kernel/…/x.ko"
  std::map<std::string, std::vector<std::string>> dependencies; // name -> names, as listed
  std::map<std::string, std::vector<std::string>> soft_before;  // softdep "pre:"
  std::map<std::string, std::vector<std::string>> soft_after;   // softdep "post:"
  std::vector<std::pair<std::string, std::string>> aliases;     // pattern -> name, file order
  std::set<std::string> builtin;                                // built into the kernel
};

// Parses the four text files (modules.builtin may be empty). Throws Error naming the file
// and line for a line it cannot read.
ModuleDatabase parse_module_database(const std::string& dep_text, const std::string& softdep_text,
                                     const std::string& alias_text,
                                     const std::string& builtin_text);

// Reads modules.dep, modules.softdep, modules.alias and modules.builtin from a directory.
ModuleDatabase load_module_database(const std::filesystem::path& module_directory);

// The modules to insmod, in load order (dependencies and "pre:" soft dependencies first),
// each once, as paths relative to the module directory. Names that are built in need nothing.
// Throws Error listing every requested name that is neither a module, built in, nor an alias;
// soft dependencies that resolve to nothing are skipped, as modprobe does.
std::vector<std::string> resolve_module_closure(const ModuleDatabase& database,
                                                const std::vector<std::string>& names);

// What a Docker (or Podman) host needs beyond the kernel the notes measured: virtio disk,
// network and entropy, ext4, overlayfs, bridges, veth, and the nftables/iptables set.
const std::vector<std::string>& default_boot_modules();

} // namespace compose::boot
