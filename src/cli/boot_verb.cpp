// `compose boot IMAGE.ext4`: boots an image under QEMU with an external kernel and our own
// initramfs (or, with --direct, none: the kernel's .config is checked first), checks that it
// comes up as a MicroVM (sshd, supervisord, cron, the engine) and powers it off. Exit 0 when
// every check passes, 1 naming the check that failed.
#include <cstdio>

#include "boot/boot_session.hpp"
#include "boot/initramfs.hpp"
#include "boot/kernel_config.hpp"
#include "boot/kernel_files.hpp"
#include "boot/module_closure.hpp"
#include "cli/verbs.hpp"
#include "fetch/cache.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::cli {

namespace {

// The initramfs for this kernel, stored in the cache under its own digest, so repeated
// boots write nothing new and two hosts with the same inputs share one entry.
std::filesystem::path cached_initramfs(const boot::KernelFiles& kernel,
                                       const std::filesystem::path& cache_dir)
{
  if (kernel.release.empty())
    throw UsageError("cannot tell the release of kernel " + quote(kernel.kernel.string()),
                     "--kernel", "name it vmlinuz-RELEASE, or pass --initrd");
  boot::InitramfsInputs inputs;
  inputs.busybox = "/bin/busybox";
  inputs.module_directory = kernel.module_directory;
  inputs.modules = boot::default_boot_modules();
  const boot::Initramfs initramfs = boot::build_initramfs(inputs);
  const std::string digest = sha256_hex(initramfs.archive);
  const fetch::Cache cache(cache_dir);
  if (const auto existing = cache.find(digest, initramfs.archive.size()))
    return *existing;
  TempPath temporary = cache.temporary();
  write_file_atomic(temporary.path(), initramfs.archive);
  return cache.commit(std::move(temporary), digest);
}

// The .config of a --direct kernel: given, or beside it as Debian (config-RELEASE) or
// scripts/build-microvm-kernel (config) leave it.
std::filesystem::path direct_kernel_config(const boot::KernelFiles& kernel,
                                           const std::string& given)
{
  if (!given.empty())
    return given;
  const std::filesystem::path directory = kernel.kernel.parent_path();
  std::error_code ec;
  if (!kernel.release.empty() &&
      std::filesystem::is_regular_file(directory / ("config-" + kernel.release), ec))
    return directory / ("config-" + kernel.release);
  if (std::filesystem::is_regular_file(directory / "config", ec))
    return directory / "config";
  throw UsageError("no .config beside " + quote(kernel.kernel.string()) +
                       " to tell whether it can boot without an initramfs",
                   "--direct", "pass --kernel-config FILE");
}

// Refuses a kernel that cannot boot the image with no initramfs, naming every option
// missing or only a module, before QEMU starts.
void check_direct_kernel(const boot::KernelFiles& kernel, const BootOptions& options,
                         bool virtio_mmio)
{
  const std::filesystem::path file = direct_kernel_config(kernel, options.kernel_config);
  std::vector<boot::KernelRequirement> requirements = boot::kernel_requirements(options.engine);
  const auto direct = boot::direct_boot_requirements(virtio_mmio);
  requirements.insert(requirements.end(), direct.begin(), direct.end());
  const std::string unmet = boot::unmet_requirements(
      boot::check_kernel_config(boot::read_kernel_config(file), requirements),
      true);
  if (!unmet.empty())
    throw Error("kernel " + quote(kernel.kernel.string()) +
                    " cannot boot without an initramfs; not built in: " + unmet,
                file.string(),
                "Debian packages no such kernel: build one with scripts/build-microvm-kernel "
                "and pass --kernel, or boot without --direct");
}

} // namespace

int run_boot(const BootOptions& options)
{
  const boot::KernelFiles kernel = boot::find_kernel(options.kernel);
  boot::BootSettings settings;
  settings.image = options.image;
  settings.kernel = kernel.kernel;
  settings.machine = options.machine == "microvm" || (options.machine.empty() && options.direct)
                         ? boot::Machine::microvm
                         : boot::Machine::pc;
  if (options.direct) {
    if (!options.initrd.empty())
      throw UsageError("--direct boots without an initramfs; --initrd names one", "--initrd");
    check_direct_kernel(kernel, options, settings.machine == boot::Machine::microvm);
  } else {
    settings.initrd = options.initrd.empty()
                          ? cached_initramfs(kernel, options.cache_dir.empty()
                                                         ? fetch::default_cache_dir()
                                                         : std::filesystem::path(options.cache_dir))
                          : std::filesystem::path(options.initrd);
  }
  settings.init = options.init;
  settings.data_disk = options.data_disk;
  settings.keep_data = options.keep_data;
  settings.run_container = options.run_container;
  settings.ssh_script = options.ssh_script;
  settings.user = options.user;
  settings.engine = options.engine == "podman" ? boot::Engine::podman : boot::Engine::docker;
  settings.memory_mib = options.memory_mib;
  settings.cpus = options.cpus;
  settings.boot_timeout = std::chrono::seconds(options.boot_timeout);
  settings.timeout = std::chrono::seconds(options.timeout);
  settings.log_file = options.log_file;

  std::fprintf(stderr, "boot %s with %s on %s, %s\n", options.image.c_str(),
               settings.kernel.filename().c_str(), boot::machine_name(settings.machine),
               options.direct ? "no initramfs" : "compose's initramfs");
  const boot::BootReport report = boot::run_boot(settings, [](const boot::CheckResult& check) {
    std::printf("%-4s %-14s %7.2f s  %s\n", check.passed ? "pass" : "FAIL", check.name.c_str(),
                check.seconds, check.detail.c_str());
    std::fflush(stdout);
  });
  if (report.passed)
    return 0;
  std::fprintf(stderr, "--- console (last lines) ---\n%s\n", report.console_tail.c_str());
  if (!report.qemu_errors.empty())
    std::fprintf(stderr, "--- QEMU stderr ---\n%s\n", report.qemu_errors.c_str());
  const boot::CheckResult& failed = report.checks.back();
  throw Error("boot check '" + failed.name + "' failed: " + failed.detail, options.image,
              report.accelerator == "tcg" ? "QEMU ran under TCG (no usable KVM); see the console "
                                            "lines above"
                                          : "see the console lines above");
}

} // namespace compose::cli
