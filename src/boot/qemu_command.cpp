// Builds QEMU's argv: the "pc" machine by default or "microvm" with virtio-mmio devices (under
// TCG its boots stalled when the host was busy, see tcg_clock.hpp), virtio-blk for the root disk, virtio-net on an isolated user network whose only way in is
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

// A virtio device on the machine's transport: "virtio-blk-pci" or "virtio-blk-device".
std::string virtio(const std::string& kind, Machine machine)
{
  return "virtio-" + kind + (machine == Machine::pc ? "-pci" : "-device");
}

std::string drive(const std::string& id, const std::filesystem::path& file, bool snapshot)
{
  return "id=" + id + ",file=" + escape_commas(file.string()) + ",if=none,format=raw" +
         (snapshot ? ",snapshot=on" : "");
}

} // namespace

std::vector<std::string> qemu_arguments(const QemuSettings& settings)
{
  if (settings.ssh_port == 0 || settings.ssh_port > 65535)
    throw Error("no valid port for the SSH forward (" + std::to_string(settings.ssh_port) + ")",
                "compose boot");
  const bool kvm = settings.accelerator == Accelerator::kvm;
  const Machine machine = settings.machine;
  std::vector<std::string> arguments = {
      settings.program,
      "-M", machine == Machine::pc ? "pc"
                                   : std::string("microvm,acpi=") +
                                         (settings.microvm_acpi ? "on" : "off"),
      // Single-threaded TCG: with one host thread per vCPU (QEMU 7.2's default), a vCPU can
      // run a stale translation of kernel text another vCPU has just re-patched (a static
      // key flipped as runc makes a cgroup), and the guest dies of an unexpected int3
      // (seen in our CI; the oops of Red Hat bug 2216496). One thread runs the vCPUs in
      // turn, which keeps cross-modifying code coherent; it costs guest parallelism.
      "-accel", kvm ? "kvm" : "tcg,thread=single",
      // "max" has SSE4.2 under TCG, so crc32c-intel loads instead of failing.
      "-cpu", kvm ? "host" : "max",
      "-m", std::to_string(settings.memory_mib),
      "-smp", std::to_string(settings.cpus),
      "-display", "none",
      "-monitor", "none",
      "-nodefaults",
      "-serial", "file:" + escape_commas(settings.console_log.string()),
      "-no-reboot",
      "-kernel", settings.kernel.string(),
  };
  if (!settings.initrd.empty())
    arguments.insert(arguments.end(), {"-initrd", settings.initrd.string()});
  arguments.insert(arguments.end(), {
      "-append", settings.append,
      "-drive", drive("root", settings.image, true),
      "-device", virtio("blk", machine) + ",drive=root",
  });
  // Added after the root disk, so the guest names it /dev/vdb.
  if (!settings.data_disk.empty())
    arguments.insert(arguments.end(), {"-drive", drive("data", settings.data_disk,
                                                       !settings.keep_data),
                                       "-device", virtio("blk", machine) + ",drive=data"});
  arguments.insert(arguments.end(), {
      "-netdev", "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:" +
                     std::to_string(settings.ssh_port) + "-:22",
      "-device", virtio("net", machine) + ",netdev=net0",
      "-device", virtio("rng", machine),
  });
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

const char* machine_name(Machine machine)
{
  return machine == Machine::pc ? "pc" : "microvm";
}

} // namespace compose::boot
