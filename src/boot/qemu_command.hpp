// The QEMU command line for booting an ext4 image with an external kernel, and the choice
// between KVM and TCG.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace compose::boot {

enum class Accelerator { kvm, tcg };

// "pc": virtio over PCI, the default. "microvm": QEMU's Firecracker-like machine, virtio
// over MMIO.
enum class Machine { pc, microvm };

struct QemuSettings {
  std::string program = "qemu-system-x86_64";
  std::filesystem::path kernel;
  std::filesystem::path initrd;    // empty: none, the kernel mounts the root itself
  std::filesystem::path image;
  std::filesystem::path data_disk; // optional second virtio disk (/dev/vdb in the guest)
  bool keep_data = false;          // the guest's writes to the data disk reach the file
  std::filesystem::path console_log;
  std::string append; // kernel command line
  unsigned ssh_port = 0; // host side of the forward to the guest's port 22, on 127.0.0.1
  unsigned memory_mib = 1024;
  unsigned cpus = 2;
  Accelerator accelerator = Accelerator::tcg;
  Machine machine = Machine::pc;
  // microvm only: its virtio-mmio devices described by ACPI (which the cloud kernel's
  // virtio_mmio module binds to), or, with false, no ACPI and a virtio_mmio.device= word per
  // device that QEMU appends to the command line, as Firecracker passes them (the kernel
  // needs VIRTIO_MMIO_CMDLINE_DEVICES, which Debian's lacks).
  bool microvm_acpi = true;
};

// The argument vector, program first. The disks are opened with snapshot=on, so the guest's
// writes (the injected key among them) never reach the files; only a data disk with
// keep_data is written.
std::vector<std::string> qemu_arguments(const QemuSettings& settings);

// KVM only when /dev/kvm opens read-write and the kvm module is not PVM's (kvm_pvm runs
// only guest kernels built for it; a stock kernel hangs silently), otherwise TCG.
Accelerator detect_accelerator(const std::filesystem::path& sys_module = "/sys/module",
                               const std::filesystem::path& kvm_device = "/dev/kvm");

const char* accelerator_name(Accelerator accelerator);
const char* machine_name(Machine machine);

} // namespace compose::boot
