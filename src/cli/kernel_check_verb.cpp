// `compose kernel-check [CONFIG]`: a kernel's .config against the images' kernel contract.
// Exit 1 when something required is missing (or, with --built-in, only a module).
#include <cstdio>
#include <filesystem>

#include "boot/kernel_config.hpp"
#include "boot/kernel_files.hpp"
#include "cli/verbs.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace compose::cli {

namespace {

// --kernel's default: the config installed beside the kernel `compose boot` would pick.
fs::path default_config()
{
  const boot::KernelFiles kernel = boot::find_kernel({});
  if (kernel.release.empty())
    throw UsageError("cannot tell the release of " + quote(kernel.kernel.string()), "",
                     "name the kernel's .config: compose kernel-check FILE");
  return kernel.kernel.parent_path() / ("config-" + kernel.release);
}

const char* status_word(const boot::KernelFinding& finding)
{
  switch (finding.status) {
  case boot::KernelFinding::Status::built_in:
    return "built in";
  case boot::KernelFinding::Status::module:
    return "module";
  case boot::KernelFinding::Status::missing:
    break;
  }
  return finding.requirement->required ? "MISSING" : "missing";
}

} // namespace

int run_kernel_check(const KernelCheckOptions& options)
{
  const fs::path file = options.config.empty() ? default_config() : fs::path(options.config);
  const auto config = boot::read_kernel_config(file);
  std::vector<boot::KernelRequirement> requirements = boot::kernel_requirements(options.engine);
  if (options.built_in) { // no initramfs: what it would do, the kernel must
    const auto direct = boot::direct_boot_requirements(false);
    requirements.insert(requirements.end(), direct.begin(), direct.end());
  }
  const std::vector<boot::KernelFinding> findings =
      boot::check_kernel_config(config, requirements);

  std::printf("%s for a %s host\n", file.string().c_str(), options.engine.c_str());
  std::size_t modules = 0, warnings = 0;
  for (const boot::KernelFinding& finding : findings) {
    const boot::KernelRequirement& requirement = *finding.requirement;
    std::string option = "CONFIG_" + finding.option;
    for (std::size_t i = 1; i < requirement.options.size() &&
                            finding.status == boot::KernelFinding::Status::missing;
         ++i)
      option += " | CONFIG_" + requirement.options[i];
    if (!finding.value.empty())
      option += "=" + finding.value;
    std::printf("  %-9s %-44s %s%s\n", status_word(finding), option.c_str(),
                requirement.purpose.c_str(), requirement.required ? "" : " (recommended)");
    const bool missing = finding.status == boot::KernelFinding::Status::missing;
    const bool module = finding.status == boot::KernelFinding::Status::module;
    modules += module ? 1 : 0;
    warnings += !requirement.required && missing ? 1 : 0;
  }
  const std::string failed = boot::unmet_requirements(findings, options.built_in);
  if (!failed.empty())
    throw Error(std::string(options.built_in ? "not built into" : "missing from") +
                    " the kernel: " + failed,
                file.string(),
                options.built_in ? "a kernel booted without an initramfs needs these built in (=y)"
                                 : "the image cannot boot or run its engine on this kernel");
  std::printf("ok: every requirement is met (%zu as modules%s; %zu recommended option(s) "
              "missing)\n",
              modules, modules == 0 || options.built_in
                           ? ""
                           : ", which an initramfs must load: compose boot's does",
              warnings);
  return 0;
}

} // namespace compose::cli
