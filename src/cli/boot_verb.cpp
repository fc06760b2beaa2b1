// `compose boot IMAGE.ext4`: boots an image under QEMU with an external kernel and our own
// initramfs, checks that it comes up as a MicroVM (sshd, supervisord, cron, the engine) and
// powers it off. Exit 0 when every check passes, 1 naming the check that failed.
#include <cstdio>

#include "boot/boot_session.hpp"
#include "boot/initramfs.hpp"
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

} // namespace

int run_boot(const BootOptions& options)
{
  const boot::KernelFiles kernel = boot::find_kernel(options.kernel);
  boot::BootSettings settings;
  settings.image = options.image;
  settings.kernel = kernel.kernel;
  settings.initrd = options.initrd.empty()
                        ? cached_initramfs(kernel, options.cache_dir.empty()
                                                       ? fetch::default_cache_dir()
                                                       : std::filesystem::path(options.cache_dir))
                        : std::filesystem::path(options.initrd);
  settings.init = options.init;
  settings.data_disk = options.data_disk;
  settings.user = options.user;
  settings.engine = options.engine == "podman" ? boot::Engine::podman : boot::Engine::docker;
  settings.memory_mib = options.memory_mib;
  settings.cpus = options.cpus;
  settings.boot_timeout = std::chrono::seconds(options.boot_timeout);
  settings.timeout = std::chrono::seconds(options.timeout);
  settings.log_file = options.log_file;

  std::fprintf(stderr, "boot %s with %s\n", options.image.c_str(),
               settings.kernel.filename().c_str());
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
