// QEMU's argv for a boot, and the KVM/TCG choice from a generated /sys/module.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "boot/qemu_command.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using compose::Error;
using compose::boot::Accelerator;
using compose::boot::detect_accelerator;
using compose::boot::qemu_arguments;
using compose::boot::QemuSettings;

namespace {

// The value following `option` in argv.
std::string value_of(const std::vector<std::string>& argv, const std::string& option)
{
  const auto at = std::find(argv.begin(), argv.end(), option);
  REQUIRE(at != argv.end());
  REQUIRE(at + 1 != argv.end());
  return *(at + 1);
}

QemuSettings settings()
{
  QemuSettings result;
  result.kernel = "/boot/vmlinuz-6.1.0-56-cloud-amd64";
  result.initrd = "/cache/sha256/abc";
  result.image = "/out/web,1.ext4";
  result.console_log = "/tmp/console.log";
  result.append = "console=ttyS0 root=/dev/vda";
  result.ssh_port = 40022;
  return result;
}

} // namespace

TEST_SUITE("boot::qemu_command")
{
  TEST_CASE("TCG pc machine, snapshot disk, loopback-only forward, serial to the log")
  {
    const std::vector<std::string> argv = qemu_arguments(settings());
    CHECK(argv.front() == "qemu-system-x86_64");
    CHECK(value_of(argv, "-M") == "pc");
    // One TCG thread for all vCPUs: multi-threaded TCG lost kernel text patches (int3 oops).
    CHECK(value_of(argv, "-accel") == "tcg,thread=single");
    CHECK(value_of(argv, "-cpu") == "max");
    CHECK(value_of(argv, "-m") == "1024");
    CHECK(value_of(argv, "-smp") == "2");
    CHECK(std::count(argv.begin(), argv.end(), "-no-reboot") == 1);
    CHECK(value_of(argv, "-serial") == "file:/tmp/console.log");
    CHECK(value_of(argv, "-append") == "console=ttyS0 root=/dev/vda");
    // A comma in a path is doubled, QEMU's escape inside option values.
    CHECK(value_of(argv, "-drive") ==
          "id=root,file=/out/web,,1.ext4,if=none,format=raw,snapshot=on");
    CHECK(value_of(argv, "-initrd") == "/cache/sha256/abc");
    CHECK(value_of(argv, "-device") == "virtio-blk-pci,drive=root");
    CHECK(std::count(argv.begin(), argv.end(), "virtio-net-pci,netdev=net0") == 1);
    CHECK(std::count(argv.begin(), argv.end(), "virtio-rng-pci") == 1);
    CHECK(value_of(argv, "-netdev") ==
          "user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22");
  }

  TEST_CASE("a data disk is a second virtio disk after the root disk, also a snapshot")
  {
    const std::vector<std::string> without = qemu_arguments(settings());
    CHECK(std::count(without.begin(), without.end(), "-drive") == 1);
    QemuSettings with = settings();
    with.data_disk = "/work/data,disk.img";
    const std::vector<std::string> argv = qemu_arguments(with);
    REQUIRE(std::count(argv.begin(), argv.end(), "-drive") == 2);
    const auto root = std::find(argv.begin(), argv.end(), "-drive");
    const auto data = std::find(root + 1, argv.end(), "-drive");
    CHECK(*(root + 1) == "id=root,file=/out/web,,1.ext4,if=none,format=raw,snapshot=on");
    CHECK(*(data + 1) == "id=data,file=/work/data,,disk.img,if=none,format=raw,snapshot=on");
    CHECK(*(data + 3) == "virtio-blk-pci,drive=data");
    // Per drive, never global: -snapshot would cover a kept data disk too.
    CHECK(std::count(argv.begin(), argv.end(), "-snapshot") == 0);
  }

  TEST_CASE("--keep-data: the data disk is written, the root disk still a snapshot")
  {
    QemuSettings kept = settings();
    kept.data_disk = "/work/data.img";
    kept.keep_data = true;
    const std::vector<std::string> argv = qemu_arguments(kept);
    const auto root = std::find(argv.begin(), argv.end(), "-drive");
    const auto data = std::find(root + 1, argv.end(), "-drive");
    REQUIRE(data != argv.end());
    CHECK(*(root + 1) == "id=root,file=/out/web,,1.ext4,if=none,format=raw,snapshot=on");
    CHECK(*(data + 1) == "id=data,file=/work/data.img,if=none,format=raw");
    CHECK(std::count(argv.begin(), argv.end(), "-snapshot") == 0);
  }

  TEST_CASE("microvm: virtio-mmio devices, found through ACPI or on the command line")
  {
    QemuSettings micro = settings();
    micro.machine = compose::boot::Machine::microvm;
    micro.data_disk = "/work/data.img";
    const std::vector<std::string> argv = qemu_arguments(micro);
    CHECK(value_of(argv, "-M") == "microvm,acpi=on");
    micro.microvm_acpi = false;
    CHECK(value_of(qemu_arguments(micro), "-M") == "microvm,acpi=off");
    std::vector<std::string> devices;
    for (auto at = argv.begin(); at != argv.end(); ++at)
      if (*at == "-device")
        devices.push_back(*(at + 1));
    CHECK(devices == std::vector<std::string>{"virtio-blk-device,drive=root",
                                              "virtio-blk-device,drive=data",
                                              "virtio-net-device,netdev=net0",
                                              "virtio-rng-device"});
    CHECK(std::none_of(argv.begin(), argv.end(),
                       [](const std::string& word) { return word.find("-pci") != std::string::npos; }));
    CHECK(compose::boot::machine_name(micro.machine) == std::string("microvm"));
  }

  TEST_CASE("a direct boot has no -initrd")
  {
    QemuSettings direct = settings();
    direct.initrd.clear();
    direct.machine = compose::boot::Machine::microvm;
    direct.microvm_acpi = false;
    const std::vector<std::string> argv = qemu_arguments(direct);
    CHECK(value_of(argv, "-M") == "microvm,acpi=off");
    CHECK(std::count(argv.begin(), argv.end(), "-initrd") == 0);
    CHECK(value_of(argv, "-kernel") == "/boot/vmlinuz-6.1.0-56-cloud-amd64");
    CHECK(value_of(argv, "-append") == "console=ttyS0 root=/dev/vda");
  }

  TEST_CASE("KVM uses the host CPU")
  {
    QemuSettings kvm = settings();
    kvm.accelerator = Accelerator::kvm;
    const std::vector<std::string> argv = qemu_arguments(kvm);
    CHECK(value_of(argv, "-accel") == "kvm");
    CHECK(value_of(argv, "-cpu") == "host");
  }

  TEST_CASE("a port is required")
  {
    QemuSettings none = settings();
    none.ssh_port = 0;
    CHECK_THROWS_WITH_AS(qemu_arguments(none),
                         doctest::Contains("no valid port for the SSH forward (0)"), Error);
  }

  TEST_CASE("PVM's kvm or an unusable /dev/kvm means TCG")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-qemu-");
    const std::filesystem::path modules = directory.path() / "module";
    const std::filesystem::path device = directory.path() / "kvm";
    std::filesystem::create_directories(modules / "kvm");
    compose::write_file_atomic(device, "");
    SUBCASE("no device") { CHECK(detect_accelerator(modules, directory.path() / "none") ==
                                 Accelerator::tcg); }
    SUBCASE("usable device")
    {
      if (::access(device.c_str(), R_OK | W_OK) == 0)
        CHECK(detect_accelerator(modules, device) == Accelerator::kvm);
    }
    SUBCASE("kvm_pvm loaded")
    {
      std::filesystem::create_directories(modules / "kvm_pvm");
      CHECK(detect_accelerator(modules, device) == Accelerator::tcg);
    }
  }
}
