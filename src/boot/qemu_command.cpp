// Builds QEMU's argv: the "pc" machine (the notes' microvm runs hung 2 of 9 times under TCG),
// virtio-blk for the root disk, virtio-net on an isolated user network whose only way in is
// a forward on 127.0.0.1, virtio-rng for the guest's host-key generation, serial console to a
// file, and -no-reboot so a guest power-off or panic ends QEMU.
#include "boot/qemu_command.hpp"

#include <unistd.h>

#include "util/error.hpp"

namespace compose::boot {

namespace {

// QEMU option values separate their keys with commas; a comma inside a value is doubled.
std::string escape_commas(const std::string& value)
{
  std::string out;
  for (char c : value) {
    out.push_back(c);
    if (c == ',')
      out.push_back(',');
  }
  return out;
}

} // namespace

std::vector<std::string> qemu_arguments(const QemuSettings& settings)
{
  if (settings.ssh_port == 0 || settings.ssh_port > 65535)
    throw Error("no valid port for the SSH forward (" + std::to_string(settings.ssh_port) + ")",
                "compose boot");
  const bool kvm = settings.accelerator == Accelerator::kvm;
  std::vector<std::string> arguments = {
      settings.program,
      "-M", "pc",
      "-accel", kvm ? "kvm" : "tcg",
      // "max" has SSE4.2 under TCG, so crc32c-intel loads instead of failing.
      "-cpu", kvm ? "host" : "max",
      "-m", std::to_string(settings.memory_mib),
      "-smp", std::to_string(settings.cpus),
      "-display", "none",
      "-monitor", "none",
      "-nodefaults",
      "-serial", "file:" + escape_commas(settings.console_log.string()),
      "-no-reboot",
      "-snapshot",
      "-kernel", settings.kernel.string(),
      "-initrd", settings.initrd.string(),
      "-append", settings.append,
      "-drive", "id=root,file=" + escape_commas(settings.image.string()) + ",if=none,format=raw",
      "-device", "virtio-blk-pci,drive=root",
      "-netdev", "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:" +
                     std::to_string(settings.ssh_port) + "-:22",
      "-device", "virtio-net-pci,netdev=net0",
      "-device", "virtio-rng-pci",
  };
  // Added after the root disk, so the guest names it /dev/vdb.
  if (!settings.data_disk.empty()) {
    const std::vector<std::string> data = {
        "-drive",
        "id=data,file=" + escape_commas(settings.data_disk.string()) + ",if=none,format=raw",
        "-device", "virtio-blk-pci,drive=data"};
    arguments.insert(arguments.end(), data.begin(), data.end());
  }
  return arguments;
}

Accelerator detect_accelerator(const std::filesystem::path& sys_module,
                               const std::filesystem::path& kvm_device)
{
  std::error_code ec;
  if (std::filesystem::exists(sys_module / "kvm_pvm", ec))
    return Accelerator::tcg;
  if (::access(kvm_device.c_str(), R_OK | W_OK) != 0)
    return Accelerator::tcg;
  return Accelerator::kvm;
}

const char* accelerator_name(Accelerator accelerator)
{
  return accelerator == Accelerator::kvm ? "kvm" : "tcg";
}

} // namespace compose::boot
