// The verbs: each turns parsed options into a pipeline call and prints its result.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/defaults.hpp"
#include "lock/lock_file.hpp"
#include "recipe/recipe.hpp"

namespace compose::cli {

int run_build(const CommonOptions& options, const std::string& out_dir);
// Runs the build, prints each output path (stdout: what scripts read) and a warning count.
int build_and_print(const recipe::Recipe& recipe, const pipeline::BuildOptions& build, Log& log);
int run_lock(const CommonOptions& options);
int run_report(const std::vector<std::string>& lock_files);
// `compose diff OLD NEW`: format "markdown" (default) or "json".
int run_diff(const std::string& old_file, const std::string& new_file, const std::string& format);

// `build --locked` / `--lock FILE`: the lock, and the options with its release inputs filled
// in where the command line gives none.
struct LockedBuild {
  lock::LockFile lock;
  std::filesystem::path file;
  CommonOptions options;
  std::string signer; // --lock-signed-by: the verified signer's primary fingerprint
  std::vector<std::string> warnings; // its key has expired since it signed
};
// std::nullopt unless options.locked or options.lock_file. Throws Error for a missing or
// malformed lock, and (options.lock_signed_by) for a missing LOCK.asc or one that is not a
// good signature by a named signer over the lock's exact bytes.
std::optional<LockedBuild> read_lock_for_build(const CommonOptions& options);
// The build uses the lock and its epoch (SOURCE_DATE_EPOCH does not override it).
void use_lock(const LockedBuild& locked, pipeline::BuildOptions& build, Log& log);
int run_show_packages(const CommonOptions& options);

// Offline bundles (bundle_verb.cpp): `compose bundle RECIPE… -o FILE` locks what has no lock
// and writes the bundle; `compose verify BUNDLE` checks one on its own; `compose build
// --from-bundle BUNDLE NAME` builds a bundled recipe with every transfer served by the bundle.
int run_bundle(const CommonOptions& options, const std::vector<std::string>& recipes,
               const std::string& output);
// `compose verify BUNDLE`: options.trust_dir, signed_by, signer_keyrings, trust_bundle_keys
// and verbosity are read.
int run_verify(const std::string& bundle_file, const CommonOptions& options);
int run_build_from_bundle(const CommonOptions& options, const std::string& bundle_file,
                          const std::string& out_dir);
// Empty version / point release: the recipe's defaults, as for a build without the flags.
int run_show_config(const std::string& recipe_file, const std::string& version,
                    const std::string& point_release);
int run_inspect(const std::string& file);
int run_check(const std::vector<std::string>& recipes, const std::string& trust_dir);

struct BootOptions {
  std::string image;
  std::string kernel;    // default: the newest /boot/vmlinuz-*-cloud-amd64
  std::string initrd;    // default: built from the kernel's modules and busybox, cached
  std::string init;      // default: the initramfs picks (boot::default_inits())
  std::string data_disk; // optional second disk, e.g. ext4 labelled miget-data
  bool keep_data = false; // the guest's writes to the data disk are kept
  bool direct = false;    // no initramfs: the kernel mounts the ext4 itself
  std::string machine;    // pc or microvm; default pc, with --direct microvm
  std::string kernel_config; // for --direct; default: the config beside the kernel
  std::string run_container; // a tarball to import and run as the user
  std::string ssh_script;    // a script to run as the user after the checks
  std::string user = "miget";
  std::string engine = "docker";
  unsigned memory_mib = 1024;
  unsigned cpus = 2;
  unsigned boot_timeout = 60;
  unsigned timeout = 300;
  std::string log_file;
  std::string cache_dir;
};
int run_boot(const BootOptions& options);

// `compose cache` (cache_verb.cpp): entries, size and least recent use per kind.
int run_cache_list(const std::string& cache_dir);
struct CachePruneOptions {
  std::string cache_dir;
  bool derived = false;                   // every parsed, decoded and gzip-blocks entry
  std::optional<unsigned> unused_for_days; // entries not used for longer
  std::string max_size;                   // then least recently used first: "20G"
  bool dry_run = false;
};
int run_cache_prune(const CachePruneOptions& options);

struct KernelCheckOptions {
  std::string config;            // a .config or config.gz; default: the one beside the kernel
  std::string engine = "docker"; // docker or podman
  bool built_in = false;         // modules do not count (a kernel booted without initramfs)
};
int run_kernel_check(const KernelCheckOptions& options);

} // namespace compose::cli
