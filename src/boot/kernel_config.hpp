// The kernel contract of the container-host images: what a MicroVM kernel must have for the
// image to boot (virtio disk and network, ext4, the mounts of the init) and for its engine to
// run containers (cgroup v2 controllers, namespaces, overlayfs, bridge networking and the
// netfilter pieces iptables needs), checked against a kernel's .config.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace compose::boot {

// CONFIG_X=y|m|"…"|n and "# CONFIG_X is not set", keyed without the CONFIG_ prefix; options
// not set are absent. Throws Error naming `where` and the line for text that is neither.
std::map<std::string, std::string> parse_kernel_config(const std::string& text,
                                                       const std::string& where);

// parse_kernel_config of a file, plain or gzip-compressed (/proc/config.gz).
std::map<std::string, std::string> read_kernel_config(const std::filesystem::path& file);

struct KernelRequirement {
  std::vector<std::string> options; // any one of them will do ("VIRTIO_PCI", "VIRTIO_MMIO")
  std::string purpose;              // "the root disk /dev/vda"
  bool required = true;             // false: recommended, a warning when missing
  std::string engine;               // "" for every image, else "docker" or "podman"
};

// The requirements for an image whose engine is `engine` ("docker" or "podman").
std::vector<KernelRequirement> kernel_requirements(const std::string& engine);

// What a kernel needs in addition to boot with no initramfs: its own /dev mount (init's
// console) and IP configuration from ip=, which the initramfs does otherwise; with
// `virtio_mmio` (QEMU's microvm, Firecracker) also the MMIO transport with devices named on
// the command line. Meant for built-in checks: a module cannot be loaded this early.
std::vector<KernelRequirement> direct_boot_requirements(bool virtio_mmio);

struct KernelFinding {
  const KernelRequirement* requirement = nullptr;
  std::string option; // the option that satisfied it, or the first alternative
  std::string value;  // "y", "m", or "" (not set)
  enum class Status { built_in, module, missing } status = Status::missing;
};

// One finding per requirement, in order. A module satisfies a requirement only when it can be
// loaded: the initramfs `compose boot` builds loads the ones the images need.
std::vector<KernelFinding> check_kernel_config(const std::map<std::string, std::string>& config,
                                               const std::vector<KernelRequirement>& requirements);

// The required findings that fail: missing, or with `built_in` also modules; as
// "CONFIG_VIRTIO_BLK (=m) for the root disk /dev/vda; …", empty when none fails.
std::string unmet_requirements(const std::vector<KernelFinding>& findings, bool built_in);

} // namespace compose::boot
