// Command line: `compose [build] RECIPE`, `lock`, `report`, `show-packages`, `show-config`,
// `inspect`, `check`, `boot`, `bundle`, `verify`, `diff`, `cache [prune]`.
// Parses flags with CLI11 and hands typed options to the pipeline; stdout carries results,
// stderr progress and diagnostics.
#include "cli/cli.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "cli/defaults.hpp"
#include "cli/verbs.hpp"
#include "util/error.hpp"

namespace compose::cli {

namespace {

const std::set<std::string> k_verbs = {"build", "show-packages", "show-config", "inspect",
                                       "check", "boot", "lock", "report",
                                       "bundle", "verify", "kernel-check", "diff",
                                       "cache"};

// How long a transfer may wait and how often it is tried (README, "Limits").
void add_transfer_flags(CLI::App& command, CommonOptions& options)
{
  command.add_option("--stall-timeout", options.stall_timeout,
                     "SECONDS without a byte before a transfer attempt fails (default 30)")
      ->check(CLI::Range(1, 86400));
  command.add_option("--file-timeout", options.file_timeout,
                     "SECONDS for all attempts at one file on one mirror (default 600)")
      ->check(CLI::Range(1, 604800));
  command.add_option("--retries", options.retries,
                     "extra attempts after a transient failure, per mirror (default 3)")
      ->check(CLI::Range(0, 20));
}

void add_common_build_flags(CLI::App& command, CommonOptions& options)
{
  command.add_option("recipe", options.recipe, "recipe file (TOML)")->required();
  command.add_option("--cache-dir", options.cache_dir,
                     "download cache (default $XDG_CACHE_HOME/compose)");
  command.add_option("--keys-dir", options.keys_dirs,
                     "directory holding trusted key files (repeatable; searched first)");
  command.add_option("--trust-dir", options.trust_dir,
                     "trust configuration (default: the keys/ directory above the recipe)");
  command.add_flag("--offline", options.offline, "use only the cache; never touch the network");
  command.add_flag("--allow-expired-release", options.allow_expired_release,
                   "accept signed Release files past their Valid-Until (snapshots, air-gapped "
                   "mirrors); recorded in the build report");
  command.add_flag("--allow-expired-key", options.allow_expired_key,
                   "accept a signature made by an OpenPGP key that has expired since (a locked "
                   "build only warns); recorded in the build report");
  command.add_option("--release,--release-version", options.release_version,
                     "the product release, ${version} in the recipe (tags, annotations)");
  command.add_option("--point-release", options.point_release,
                     "the distribution's point release, ${point_release} in the recipe");
  command.add_option("--mirror", options.mirrors,
                     "FROM=TO: fetch repositories whose URL starts with FROM from TO instead "
                     "(repeatable; signatures are still checked)");
  command.add_option("-j,--jobs", options.jobs,
                     "parallel downloads; also the most layer compression threads")
      ->check(CLI::Range(1, 64));
  add_transfer_flags(command, options);
  command.add_flag("-v,--verbose", options.verbose, "print steps with timings");
  command.add_flag("-q,--quiet", options.quiet, "print only warnings and errors");
}

// Whose signature a bundle (or lock) must carry: keys the user holds, never the bundle's.
void add_bundle_trust_flags(CLI::App& command, CommonOptions& options)
{
  command.add_option("--signed-by", options.signed_by,
                     "FINGERPRINT: accept the bundle only when signed by this primary key "
                     "(repeatable; its public key from --signer-keyring or --trust-dir)");
  command.add_option("--signer-keyring", options.signer_keyrings,
                     "OpenPGP public key file holding the signer's key (repeatable)");
  command.add_flag("--trust-bundle-keys", options.trust_bundle_keys,
                   "accept an unsigned bundle, trusting the keys and trust configuration it "
                   "carries (recorded in the report)");
}

void add_signing_flags(CLI::App& command, CommonOptions& options, const std::string& what)
{
  command.add_option("--sign", options.sign_key,
                     "KEY: sign " + what + " with this OpenPGP secret key file (detached)");
  command.add_option("--passphrase-file", options.passphrase_file,
                     "first line: the passphrase of a protected --sign key");
}

} // namespace

int run(int argc, char** argv)
{
  std::vector<std::string> args(argv + 1, argv + argc);
  // `compose RECIPE` means `compose build RECIPE`.
  if (!args.empty() && !args[0].starts_with("-") && !k_verbs.contains(args[0]))
    args.insert(args.begin(), "build");

  CLI::App app{"compose: build verified root filesystems, OCI images and ext4 disks from "
               "distribution packages"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("compose ") + COMPOSE_VERSION);

  CommonOptions build_options;
  std::string out_dir = "out";
  CLI::App* build = app.add_subcommand("build", "build a recipe (the default verb)");
  add_common_build_flags(*build, build_options);
  build->add_option("-o,--out", out_dir, "output directory (default ./out)");
  build->add_flag("--locked", build_options.locked,
                  "build exactly what the recipe's lock pins (beside it: .toml -> .lock.json)");
  build->add_option("--lock", build_options.lock_file, "build exactly what this lock file pins");
  std::string from_bundle;
  build->add_option("--from-bundle", from_bundle,
                    "build RECIPE (a name or path in the bundle) from an offline bundle, with "
                    "no network: every transfer is served by the bundle, checked first");
  add_bundle_trust_flags(*build, build_options);
  build->add_option("--lock-signed-by", build_options.lock_signed_by,
                    "FINGERPRINT: refuse the lock unless LOCK.asc beside it is a good signature "
                    "by this key (from --signer-keyring or the trust configuration's signers)");

  CommonOptions bundle_options;
  std::vector<std::string> bundle_recipes;
  std::string bundle_output;
  CLI::App* bundle = app.add_subcommand(
      "bundle", "lock recipes (unless locked) and write one offline bundle of everything their "
                "locked builds need");
  bundle->add_option("recipes", bundle_recipes, "recipe files")->required();
  bundle->add_option("-o,--output", bundle_output, "the bundle file (a tar)")->required();
  bundle->add_option("--cache-dir", bundle_options.cache_dir,
                     "download cache (default $XDG_CACHE_HOME/compose)");
  bundle->add_option("--keys-dir", bundle_options.keys_dirs,
                     "directory holding trusted key files (repeatable; searched first)");
  bundle->add_option("--trust-dir", bundle_options.trust_dir,
                     "trust configuration (default: the keys/ directory above the recipe)");
  bundle->add_flag("--offline", bundle_options.offline, "use only the cache");
  bundle->add_option("--mirror", bundle_options.mirrors,
                     "FROM=TO: fetch URLs starting with FROM from TO instead (repeatable)");
  bundle->add_option("--release,--release-version", bundle_options.release_version,
                     "the product release, for recipes locked now");
  bundle->add_option("-j,--jobs", bundle_options.jobs, "parallel downloads")
      ->check(CLI::Range(1, 64));
  add_signing_flags(*bundle, bundle_options, "the manifest (manifest.json.asc in the bundle)");
  add_transfer_flags(*bundle, bundle_options);
  bundle->add_flag("-v,--verbose", bundle_options.verbose, "print steps with timings");
  bundle->add_flag("-q,--quiet", bundle_options.quiet, "print only warnings and errors");

  std::string verify_file;
  CommonOptions verify_options;
  CLI::App* verify = app.add_subcommand(
      "verify", "check an offline bundle: its producer's signature, digests, keys, index "
                "signatures, locks");
  verify->add_option("bundle", verify_file, "bundle file")->required();
  verify->add_option("--trust-dir", verify_options.trust_dir,
                     "trust configuration: its signers (kind openpgp-signer) and the repository "
                     "keys (default for those: the bundle's own, covered by its signature)");
  add_bundle_trust_flags(*verify, verify_options);
  verify->add_flag("-v,--verbose", verify_options.verbose, "print every check");
  verify->add_flag("-q,--quiet", verify_options.quiet, "print only warnings and errors");

  CommonOptions lock_options;
  CLI::App* lock = app.add_subcommand(
      "lock", "resolve a recipe and write its lock file (beside it: .toml -> .lock.json)");
  add_common_build_flags(*lock, lock_options);
  lock->add_option("--lock", lock_options.lock_file, "write the lock here instead");
  add_signing_flags(*lock, lock_options, "the lock (LOCK.asc beside it)");

  std::vector<std::string> report_locks;
  CLI::App* report = app.add_subcommand(
      "report", "print the components table (Markdown) from lock files, one column each");
  report->add_option("locks", report_locks, "lock files")->required();

  std::string diff_old, diff_new, diff_format = "markdown";
  CLI::App* diff = app.add_subcommand(
      "diff", "what changed between two locks: packages, repositories, keys, pinned files");
  diff->add_option("old", diff_old, "the earlier lock file")->required();
  diff->add_option("new", diff_new, "the later lock file")->required();
  diff->add_option("--format", diff_format, "markdown (default) or json")
      ->check(CLI::IsMember({"markdown", "json"}));

  CommonOptions show_options;
  CLI::App* show_packages =
      app.add_subcommand("show-packages", "resolve a recipe and print the install plan");
  add_common_build_flags(*show_packages, show_options);

  std::string config_recipe;
  CLI::App* show_config =
      app.add_subcommand("show-config", "print a recipe with its fragments merged, as JSON");
  show_config->add_option("recipe", config_recipe, "recipe file (TOML)")->required();
  std::string config_version, config_point_release;
  show_config->add_option("--release,--release-version", config_version,
                          "the product release, ${version} in the recipe: shows its tags");
  show_config->add_option("--point-release", config_point_release,
                          "the distribution's point release, ${point_release} in the recipe");

  std::string inspect_file;
  CLI::App* inspect = app.add_subcommand(
      "inspect", "list an .oci.tar or .ext4 output and check its own digests");
  inspect->add_option("file", inspect_file, "output file")->required();

  BootOptions boot_options;
  CLI::App* boot = app.add_subcommand(
      "boot", "boot an .ext4 image under QEMU and check sshd, supervisord, cron and the engine");
  boot->add_option("image", boot_options.image, "ext4 image (never changed: snapshot)")
      ->required();
  boot->add_option("--kernel", boot_options.kernel,
                   "kernel image (default: newest /boot/vmlinuz-*-cloud-amd64)");
  boot->add_option("--initrd", boot_options.initrd,
                   "initramfs to use instead of the one built from the kernel's modules");
  boot->add_option("--init", boot_options.init,
                   "init inside the image (default: the first of /usr/local/sbin/compose-init "
                   "and /sbin/init the image has)");
  boot->add_option("--user", boot_options.user, "account for the SSH checks (default miget)");
  boot->add_option("--engine", boot_options.engine, "container engine: docker or podman")
      ->check(CLI::IsMember({"docker", "podman"}));
  boot->add_option("--memory", boot_options.memory_mib, "guest memory in MiB (default 1024)")
      ->check(CLI::Range(128U, 65536U));
  boot->add_option("--cpus", boot_options.cpus, "guest CPUs (default 2)")
      ->check(CLI::Range(1U, 64U));
  boot->add_option("--boot-timeout", boot_options.boot_timeout,
                   "seconds to the root mount (default 60)")
      ->check(CLI::Range(1U, 3600U));
  boot->add_option("--timeout", boot_options.timeout, "seconds for all checks (default 300)")
      ->check(CLI::Range(1U, 7200U));
  CLI::Option* data_disk = boot->add_option(
      "--data-disk", boot_options.data_disk,
      "attach FILE as a second disk (/dev/vdb; never changed: snapshot, unless --keep-data) "
      "and check that the guest mounts it");
  boot->add_flag("--keep-data", boot_options.keep_data,
                 "write the guest's changes to the --data-disk file, so the next boot with it "
                 "finds them (the root image is still never changed)")
      ->needs(data_disk);
  boot->add_flag("--direct", boot_options.direct,
                 "boot without an initramfs, as Firecracker does: root=/dev/vda mounted by the "
                 "kernel, whose .config must have virtio, ext4, the engine's needs built in "
                 "(checked first; scripts/build-microvm-kernel builds one)");
  boot->add_option("--machine", boot_options.machine,
                   "QEMU machine: pc (virtio-pci, the default) or microvm (virtio-mmio; the "
                   "default with --direct)")
      ->check(CLI::IsMember({"pc", "microvm"}));
  boot->add_option("--kernel-config", boot_options.kernel_config,
                   "the --direct kernel's .config (default: config-RELEASE beside "
                   "vmlinuz-RELEASE, else 'config' in the kernel's directory)");
  boot->add_option("--run-container", boot_options.run_container,
                   "import TAR (a root filesystem with /bin/busybox) into the engine as the "
                   "user and run it: check 'run-container'");
  boot->add_option("--ssh-script", boot_options.ssh_script,
                   "run FILE with sh as the user after the other checks: check 'ssh-script', "
                   "its last output line as the detail");
  boot->add_option("--log", boot_options.log_file, "keep the whole serial console in FILE");
  boot->add_option("--cache-dir", boot_options.cache_dir,
                   "cache for the built initramfs (default $XDG_CACHE_HOME/compose)");
  KernelCheckOptions kernel_options;
  CLI::App* kernel_check = app.add_subcommand(
      "kernel-check", "check a kernel's .config against what the images need to boot and run "
                      "their engine");
  kernel_check->add_option("config", kernel_options.config,
                           "kernel .config or config.gz (default: /boot/config-RELEASE of the "
                           "kernel compose boot would use)");
  kernel_check->add_option("--engine", kernel_options.engine, "docker (default) or podman")
      ->check(CLI::IsMember({"docker", "podman"}));
  kernel_check->add_flag("--built-in", kernel_options.built_in,
                         "modules do not count: the kernel boots without an initramfs");
  std::vector<std::string> check_recipes;
  std::string check_trust_dir;
  CLI::App* check = app.add_subcommand(
      "check", "validate recipes offline: schema, fragments, keys and pins, URLs, overlays");
  check->add_option("recipes", check_recipes, "recipe files")->required();
  check->add_option("--trust-dir", check_trust_dir,
                    "trust configuration (default: the keys/ directory above each recipe)");

  std::string cache_dir;
  CLI::App* cache = app.add_subcommand(
      "cache", "show what the download and derived-data cache holds (entries, size, last use)");
  cache->add_option("--cache-dir", cache_dir, "the cache (default $XDG_CACHE_HOME/compose)");
  CachePruneOptions prune_options;
  CLI::App* prune = cache->add_subcommand(
      "prune", "remove cache entries: always temporaries of killed builds (a day old) and "
               "names of removed downloads; more by the rules given");
  prune->add_option("--cache-dir", prune_options.cache_dir,
                    "the cache (default $XDG_CACHE_HOME/compose)");
  prune->add_flag("--derived", prune_options.derived,
                  "every parsed index, decoded package and gzip block (rebuilt when needed)");
  prune->add_option("--unused-for", prune_options.unused_for_days,
                    "DAYS: entries no build has used for longer")
      ->check(CLI::Range(0U, 36500U));
  prune->add_option("--max-size", prune_options.max_size,
                    "SIZE: then the least recently used entries until the rest fits (\"20G\")");
  prune->add_flag("--dry-run", prune_options.dry_run, "list what would go; remove nothing");

  std::vector<const char*> raw;
  raw.push_back(argv[0]);
  for (const std::string& arg : args)
    raw.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(raw.size()), raw.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    throw UsageError(e.what());
  }

  for (const CommonOptions* options : {&build_options, &verify_options})
    if (options->trust_bundle_keys && !options->signed_by.empty())
      throw UsageError("--trust-bundle-keys and --signed-by contradict each other",
                       "", "name the signer, or trust the bundle's own keys, not both");
  if (*build && from_bundle.empty() && (build_options.trust_bundle_keys ||
                                        !build_options.signed_by.empty()))
    throw UsageError("--signed-by and --trust-bundle-keys go with --from-bundle BUNDLE",
                     "", "a lock's signer is named with --lock-signed-by");
  if (*build && !build_options.lock_signed_by.empty() &&
      (!from_bundle.empty() || (!build_options.locked && build_options.lock_file.empty())))
    throw UsageError("--lock-signed-by checks the lock of --locked or --lock FILE", "",
                     "a bundle's locks are covered by its signature (--signed-by)");
  if (*build && !from_bundle.empty())
    return run_build_from_bundle(build_options, from_bundle, out_dir);
  if (*build)
    return run_build(build_options, out_dir);
  if (*bundle)
    return run_bundle(bundle_options, bundle_recipes, bundle_output);
  if (*verify)
    return run_verify(verify_file, verify_options);
  if (*lock)
    return run_lock(lock_options);
  if (*report)
    return run_report(report_locks);
  if (*diff)
    return run_diff(diff_old, diff_new, diff_format);
  if (*show_packages)
    return run_show_packages(show_options);
  if (*show_config)
    return run_show_config(config_recipe, config_version, config_point_release);
  if (*inspect)
    return run_inspect(inspect_file);
  if (*boot)
    return run_boot(boot_options);
  if (*check)
    return run_check(check_recipes, check_trust_dir);
  if (*kernel_check)
    return run_kernel_check(kernel_options);
  if (*prune) {
    if (prune_options.cache_dir.empty())
      prune_options.cache_dir = cache_dir;
    return run_cache_prune(prune_options);
  }
  if (*cache)
    return run_cache_list(cache_dir);
  throw UsageError("no verb given");
}

} // namespace compose::cli
