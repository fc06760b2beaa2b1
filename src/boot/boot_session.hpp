// One boot of an ext4 image under QEMU and the checks that prove it works as a MicroVM:
// kernel, root mounted, sshd banner, key login, the user's SSH file modes, the host key,
// services, supervisorctl, the engine for the user, the data disk when one is attached, a
// container run and an operator's script when asked; then power-off. QEMU and ssh are child processes; nothing is left running afterwards.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "boot/qemu_command.hpp"
#include "boot/services.hpp"

namespace compose::boot {

struct BootSettings {
  std::filesystem::path image;
  std::filesystem::path kernel;
  std::filesystem::path initrd; // empty: a direct boot (direct_init.hpp), no initramfs
  std::filesystem::path data_disk; // optional: attached as /dev/vdb, checked to be mounted
  bool keep_data = false;          // the guest's writes to the data disk reach the file
  std::string init; // empty: the first of default_inits() the image has
  Machine machine = Machine::pc;
  // Optional: a root filesystem tarball with /bin/busybox, imported into the engine as the
  // user and run ("run-container").
  std::filesystem::path run_container;
  // Optional: a shell script run as the user after the other checks ("ssh-script").
  std::filesystem::path ssh_script;
  std::string user = "miget";
  Engine engine = Engine::docker;
  unsigned memory_mib = 1024;
  unsigned cpus = 2;
  std::chrono::seconds boot_timeout{60}; // QEMU start to the root mount
  std::chrono::seconds timeout{300};     // QEMU start to the last check
  std::filesystem::path log_file;        // keep the whole console here (optional)
};

struct CheckResult {
  std::string name;    // "kernel", "root-mounted", "sshd-banner", …
  bool passed = false;
  double seconds = 0;  // since QEMU started
  std::string detail;  // what was seen, or why it failed
};

struct BootReport {
  std::vector<CheckResult> checks;
  bool passed = false;
  std::string accelerator;  // "kvm" or "tcg"
  std::string host_key;     // the fingerprint sshd presented ("SHA256:… (ED25519)")
  std::string console_tail; // the last 60 console lines, on failure
  std::string qemu_errors;  // QEMU's stderr, on failure
};

// Boots and checks; `on_check` sees each result as it is decided. Returns the report (a
// failed check is a report, not an exception); throws Error when the boot cannot start
// (no QEMU, no ssh-keygen, unreadable image).
BootReport run_boot(const BootSettings& settings,
                    const std::function<void(const CheckResult&)>& on_check);

} // namespace compose::boot
