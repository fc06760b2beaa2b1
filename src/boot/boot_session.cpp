// The boot checks, in order (data-disk, run-container and ssh-script only when asked for),
// each polled every 0.5 s: the first two share the boot timeout, the rest the overall one,
// both counted from QEMU's start. The SSH key is fresh for each run (ssh-keygen in a
// temporary directory) and reaches the guest on the kernel command line, for the initramfs
// or, in a direct boot, for the image's /bin/sh; the host key sshd presents is remembered
// in a known_hosts file of that directory. QEMU runs the image with snapshot=on, so the
// file is never changed; the data disk too unless it is to be kept.
#include "boot/boot_session.hpp"

#include <algorithm>
#include <sstream>
#include <thread>

#include "boot/child_process.hpp"
#include "boot/console_log.hpp"
#include "boot/direct_init.hpp"
#include "boot/init_script.hpp"
#include "boot/kernel_command_line.hpp"
#include "boot/loopback.hpp"
#include "boot/mount_table.hpp"
#include "boot/qemu_command.hpp"
#include "boot/services.hpp"
#include "boot/tcg_clock.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/shell_quote.hpp"

namespace compose::boot {

namespace {

constexpr auto k_poll_interval = std::chrono::milliseconds(500);
constexpr std::size_t k_console_tail_lines = 60;

struct Probe {
  bool ok = false;
  std::string detail;
  bool cut_short = false; // the attempt ran into its deadline: say what earlier ones saw
  bool final = false;     // a failure not worth another attempt (it ran to its end)
};

// The name the run-container check imports its tarball as.
constexpr const char* k_check_image = "compose-boot-check";
constexpr const char* k_container_said = "compose-boot: container ran";

std::string first_line(const std::string& text)
{
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
    line.pop_back();
  return line;
}

std::string last_line(const std::string& text)
{
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r'))
    trimmed.pop_back();
  return trimmed.substr(trimmed.rfind('\n') == std::string::npos ? 0 : trimmed.rfind('\n') + 1);
}

class Session {
public:
  Session(const BootSettings& settings, const std::function<void(const CheckResult&)>& on_check)
      : m_settings(settings), m_on_check(on_check),
        m_temp(make_temp_directory("compose-boot-")),
        m_console_path(settings.log_file.empty() ? m_temp.path() / "console.log"
                                                 : settings.log_file),
        m_console(m_console_path)
  {
  }

  BootReport run()
  {
    make_key();
    m_port = free_loopback_port();
    start_qemu();
    const auto boot_deadline = m_start + m_settings.boot_timeout;
    const auto deadline = m_start + m_settings.timeout;
    const bool direct = m_settings.initrd.empty();
    const bool passed =
        check("kernel", boot_deadline, [&] { return console_probe("Linux version"); }) &&
        check("root-mounted", boot_deadline,
              [&] {
                if (!direct)
                  return console_probe(k_marker_switching);
                if (const auto line = m_console.find_line_starting(k_marker_direct_starting))
                  return Probe{true, *line};
                return Probe{false, "no line starting " +
                                        quote(std::string(k_marker_direct_starting))};
              }) &&
        check("sshd-banner", deadline, [&] { return banner_probe(); }) &&
        check("ssh-login", deadline, [&] { return login_probe(deadline); }) &&
        check("ssh-modes", deadline, [&] { return ssh_modes_probe(deadline); }) &&
        check("host-key", deadline, [&] { return host_key_probe(deadline); }) &&
        check("services", deadline, [&] { return services_probe(deadline); }) &&
        check("supervisorctl", deadline, [&] { return supervisor_probe(deadline); }) &&
        check(m_settings.engine == Engine::docker ? "docker-info" : "podman-info", deadline,
              [&] { return engine_probe(deadline); }) &&
        (m_settings.data_disk.empty() ||
         check("data-disk", deadline, [&] { return data_disk_probe(deadline); })) &&
        (m_settings.run_container.empty() ||
         check("run-container", deadline, [&] { return run_container_probe(deadline); })) &&
        (m_settings.ssh_script.empty() ||
         check("ssh-script", deadline, [&] { return ssh_script_probe(deadline); }));
    if (passed)
      power_off();
    m_report.passed = passed;
    if (!passed) {
      m_console.refresh();
      m_report.console_tail = m_console.tail(k_console_tail_lines);
      m_qemu->stop();
      m_report.qemu_errors = read_file(m_temp.path() / "qemu.stderr");
    }
    return std::move(m_report);
  }

private:
  double elapsed() const
  {
    return std::chrono::duration<double>(Clock::now() - m_start).count();
  }

  void make_key()
  {
    const std::filesystem::path key = m_temp.path() / "id_ed25519";
    const CommandResult result =
        run_command({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "compose-boot", "-f",
                     key.string()},
                    Clock::now() + std::chrono::seconds(30));
    if (result.status != 0)
      throw Error("ssh-keygen failed: " + last_line(result.output), "compose boot",
                  "install openssh-client");
    m_key = key;
    m_public_key = first_line(read_file(key.string() + ".pub"));
  }

  void start_qemu()
  {
    std::vector<std::string> users = {m_settings.user};
    if (m_settings.user != "root")
      users.push_back("root");
    KernelCommandLine line;
    if (m_settings.initrd.empty()) {
      // No initramfs: the image's /bin/sh adds the key and starts its init.
      const DirectInit direct = direct_init(users, m_public_key, m_settings.init);
      line.init = direct.init;
      line.init_environment = direct.environment;
      line.init_arguments = direct.arguments;
    } else {
      line.init = m_settings.init;
      line.users = users;
      line.public_key = m_public_key;
    }
    // Without ACPI the guest ends QEMU with a reset (power_off). Without reboot=t the kernel
    // first tries the keyboard controller microvm lacks, then jumps into the firmware, which
    // once left the guest running for 90 s; a triple fault is a reset at once.
    if (without_acpi())
      line.extra.push_back("reboot=t");
    QemuSettings qemu;
    qemu.accelerator = detect_accelerator();
    if (qemu.accelerator == Accelerator::tcg && m_settings.machine == Machine::microvm)
      if (const auto khz = tsc_khz_from_cpuinfo(read_file("/proc/cpuinfo")))
        line.extra.push_back("tsc_early_khz=" + std::to_string(*khz));
    qemu.kernel = m_settings.kernel;
    qemu.initrd = m_settings.initrd;
    qemu.image = m_settings.image;
    qemu.data_disk = m_settings.data_disk;
    qemu.keep_data = m_settings.keep_data;
    qemu.machine = m_settings.machine;
    qemu.microvm_acpi = !without_acpi();
    qemu.console_log = m_console_path;
    qemu.append = format_kernel_command_line(line);
    qemu.ssh_port = m_port;
    qemu.memory_mib = m_settings.memory_mib;
    qemu.cpus = m_settings.cpus;
    m_report.accelerator = accelerator_name(qemu.accelerator);
    std::error_code ec;
    std::filesystem::remove(m_console_path, ec); // QEMU appends to nothing stale
    m_start = Clock::now();
    m_qemu.emplace(qemu_arguments(qemu), m_temp.path() / "qemu.stdout",
                   m_temp.path() / "qemu.stderr");
    m_forward_signals.emplace(m_qemu->pid());
  }

  // Polls `probe` until it passes or the deadline; a FATAL line from the initramfs or QEMU's
  // exit ends the wait at once.
  template <typename ProbeFunction>
  bool check(const std::string& name, Clock::time_point deadline, ProbeFunction probe)
  {
    std::string detail;
    for (;;) {
      m_console.refresh();
      const Probe result = probe();
      if (result.ok)
        return record(name, true, result.detail);
      if (result.final)
        return record(name, false, result.detail);
      if (!result.cut_short || detail.empty())
        detail = result.detail;
      if (const auto fatal = m_console.find_line(k_marker_fatal))
        return record(name, false, "initramfs could not start the image: " + *fatal);
      if (const auto fatal = m_console.find_line_starting(k_marker_direct_fatal))
        return record(name, false, "the image's /bin/sh could not start it: " + *fatal);
      if (const auto status = m_qemu->poll())
        return record(name, false,
                      "QEMU exited (status " + std::to_string(*status) + "): " + detail);
      if (Clock::now() >= deadline) {
        const auto limit = std::chrono::duration_cast<std::chrono::seconds>(deadline - m_start);
        return record(name, false,
                      "not within " + std::to_string(limit.count()) + " s: " + detail);
      }
      std::this_thread::sleep_for(k_poll_interval);
    }
  }

  bool record(const std::string& name, bool passed, const std::string& detail)
  {
    CheckResult result{name, passed, elapsed(), detail};
    m_on_check(result);
    m_report.checks.push_back(std::move(result));
    return passed;
  }

  Probe console_probe(std::string_view text)
  {
    if (const auto line = m_console.find_line(text))
      return {true, *line};
    return {false, "no " + quote(std::string(text)) + " on the console"};
  }

  Probe banner_probe()
  {
    if (const auto banner = read_ssh_banner(m_port, std::chrono::seconds(2)))
      return {true, *banner};
    return {false, "no SSH-2.0- banner on 127.0.0.1:" + std::to_string(m_port)};
  }

  // ssh and scp options: our key only, and the host key sshd presents first is kept in
  // our own known_hosts, for the host-key check (and refused should it change).
  std::vector<std::string> ssh_options() const
  {
    return {"-F", "/dev/null", "-i", m_key.string(), "-o", "StrictHostKeyChecking=accept-new",
            "-o", "UserKnownHostsFile=" + known_hosts().string(), "-o",
            "GlobalKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR"};
  }

  std::filesystem::path known_hosts() const { return m_temp.path() / "known_hosts"; }

  CommandResult ssh(const std::string& user, const std::string& command,
                    Clock::time_point deadline,
                    std::chrono::seconds limit = std::chrono::seconds(60))
  {
    std::vector<std::string> argv = {"ssh", "-p", std::to_string(m_port)};
    const std::vector<std::string> options = ssh_options();
    argv.insert(argv.end(), options.begin(), options.end());
    argv.insert(argv.end(), {user + "@127.0.0.1", "--", command});
    return run_command(argv, std::min(deadline, Clock::now() + limit));
  }

  static Probe command_failure(const CommandResult& result)
  {
    if (result.status < 0)
      return {false, "ssh did not finish", true};
    return {false, "exit status " + std::to_string(result.status) + ": " +
                       last_line(result.output)};
  }

  Probe login_probe(Clock::time_point deadline)
  {
    const CommandResult result = ssh(m_settings.user, "id -un", deadline);
    if (result.status == 0 && first_line(result.output) == m_settings.user)
      return {true, "logged in as " + m_settings.user};
    return command_failure(result);
  }

  Probe ssh_modes_probe(Clock::time_point deadline)
  {
    // sshd's StrictModes wants these; the image's init re-asserts them at every start.
    const CommandResult result =
        ssh(m_settings.user, "stat -c '%a %U %n' ~/.ssh ~/.ssh/authorized_keys", deadline);
    if (result.status != 0)
      return command_failure(result);
    std::istringstream lines(result.output);
    std::string directory, file;
    std::getline(lines, directory);
    std::getline(lines, file);
    const std::string owner = " " + m_settings.user + " ";
    if (!directory.starts_with("700" + owner) || !file.starts_with("600" + owner))
      return {false, "want 700 and 600 owned by " + m_settings.user + ": " + first_line(directory) +
                         ", " + first_line(file), false, true};
    return {true, first_line(directory) + ", " + first_line(file)};
  }

  Probe host_key_probe(Clock::time_point deadline)
  {
    // The logins so far wrote the key sshd presented into our known_hosts.
    const CommandResult result = run_command({"ssh-keygen", "-l", "-f", known_hosts().string()},
                                             std::min(deadline, Clock::now() + std::chrono::seconds(30)));
    if (result.status != 0)
      return {false, "ssh-keygen -l: " + last_line(result.output), false, true};
    // "256 SHA256:… [127.0.0.1]:PORT (ED25519)"
    std::istringstream words(first_line(result.output));
    std::string bits, fingerprint, host, type;
    words >> bits >> fingerprint >> host >> type;
    if (!fingerprint.starts_with("SHA256:") || type.empty())
      return {false, "no fingerprint in " + quote(first_line(result.output)), false, true};
    m_report.host_key = fingerprint + " " + type;
    return {true, m_report.host_key};
  }

  Probe services_probe(Clock::time_point deadline)
  {
    // /proc/*/comm works for any user and any userland, busybox included.
    const CommandResult result =
        ssh(m_settings.user, "cat /proc/[0-9]*/comm 2>/dev/null; true", deadline);
    if (result.status != 0)
      return command_failure(result);
    const std::string missing = missing_services(result.output, m_settings.engine);
    if (missing.empty()) {
      std::string all;
      for (const std::string& service : required_services(m_settings.engine))
        all += (all.empty() ? "" : " ") + service;
      return {true, all};
    }
    return {false, "not running: " + missing};
  }

  Probe supervisor_probe(Clock::time_point deadline)
  {
    // The control socket is root's (0700), hence root; exit 0 means every program RUNNING.
    const CommandResult result = ssh("root", "supervisorctl status", deadline);
    if (result.status != 0)
      return command_failure(result);
    std::istringstream stream(result.output);
    std::string line;
    std::size_t programs = 0;
    while (std::getline(stream, line)) {
      if (first_line(line).empty())
        continue;
      if (line.find("RUNNING") == std::string::npos)
        return {false, "not RUNNING: " + first_line(line)};
      ++programs;
    }
    if (programs == 0)
      return {false, "supervisorctl listed no programs"};
    return {true, std::to_string(programs) + " programs RUNNING"};
  }

  Probe engine_probe(Clock::time_point deadline)
  {
    // RUNNING in supervisord is not readiness (dockerd can exit seconds later): only the
    // engine answering proves it works.
    // As the user, through the engine's API socket, as an operator's login uses it.
    const CommandResult result =
        ssh(m_settings.user,
            m_settings.engine == Engine::docker
                ? "docker info --format "
                  "'{{.ServerVersion}} storage={{.Driver}} cgroup=v{{.CgroupVersion}}'"
                : "podman --remote info --format "
                  "'{{.Version.Version}} storage={{.Store.GraphDriverName}}'",
            deadline);
    if (result.status == 0)
      return {true, first_line(result.output)};
    return command_failure(result);
  }

  Probe data_disk_probe(Clock::time_point deadline)
  {
    // The image's init mounts the disk, so its mount table says where it went.
    const CommandResult result = ssh(m_settings.user, "cat /proc/mounts", deadline);
    if (result.status != 0)
      return command_failure(result);
    if (const auto mount = find_mount(result.output, k_data_disk_device))
      return {true, std::string(k_data_disk_device) + " on " + mount->mount_point + " (" +
                        mount->type + ")"};
    return {false, std::string(k_data_disk_device) + " is not mounted"};
  }

  // The engine's client as the user: "docker" or "podman --remote".
  std::string engine_client() const
  {
    return m_settings.engine == Engine::docker ? "docker" : "podman --remote";
  }

  Probe run_container_probe(Clock::time_point deadline)
  {
    const std::string remote = "compose-boot-image.tar";
    std::vector<std::string> scp = {"scp", "-q", "-P", std::to_string(m_port)};
    const std::vector<std::string> options = ssh_options();
    scp.insert(scp.end(), options.begin(), options.end());
    scp.insert(scp.end(), {m_settings.run_container.string(),
                           m_settings.user + "@127.0.0.1:" + remote});
    const CommandResult copy =
        run_command(scp, std::min(deadline, Clock::now() + std::chrono::seconds(120)));
    if (copy.status != 0)
      return {false, "scp of " + m_settings.run_container.filename().string() + ": " +
                         (copy.status < 0 ? "did not finish" : last_line(copy.output)),
              false, true};
    const std::string client = engine_client();
    const std::string command =
        client + " import " + remote + " " + k_check_image + " >/dev/null && " + client +
        " run --rm " + k_check_image + " /bin/busybox echo '" + k_container_said +
        "'; status=$?; rm -f " + remote + "; exit $status";
    const CommandResult result = ssh(m_settings.user, command, deadline, std::chrono::seconds(300));
    if (result.status == 0 && last_line(result.output) == k_container_said)
      return {true, "imported " + m_settings.run_container.filename().string() + " as " +
                        k_check_image + ", /bin/busybox ran in it"};
    Probe failure = command_failure(result);
    failure.final = true;
    return failure;
  }

  Probe ssh_script_probe(Clock::time_point deadline)
  {
    // The script is the command: ssh hands it to the user's shell, no copy needed.
    const CommandResult result =
        ssh(m_settings.user, "sh -c " + shell_quote(read_file(m_settings.ssh_script)), deadline,
            std::chrono::seconds(300));
    if (result.status == 0)
      return {true, m_settings.ssh_script.filename().string() + ": " + last_line(result.output)};
    Probe failure = command_failure(result);
    failure.detail = m_settings.ssh_script.filename().string() + ": " + failure.detail;
    failure.final = true;
    return failure;
  }

  // microvm without an initramfs is Firecracker's way: devices on the kernel command line,
  // no ACPI, so no power-off.
  bool without_acpi() const
  {
    return m_settings.machine == Machine::microvm && m_settings.initrd.empty();
  }

  void power_off()
  {
    // Minimal images have no poweroff binary; sysrq "o" powers off at once, after sync has
    // written what a kept data disk must hold. ssh may lose the connection: no check.
    // microvm without ACPI has no power-off, but -no-reboot ends QEMU at a reset ("b").
    // Detached from the ssh session: under TCG on a busy host `sync` of a kept data disk can
    // outlast any ssh deadline, and a killed ssh client took the shell (and the sysrq) with it.
    ssh("root",
        std::string("nohup sh -c 'sync; echo ") + (without_acpi() ? "b" : "o") +
            " >/proc/sysrq-trigger' </dev/null >/dev/null 2>&1 &",
        Clock::now() + std::chrono::seconds(15));
    if (const auto status = m_qemu->wait_until(Clock::now() + std::chrono::seconds(90)))
      record("power-off", true, "QEMU exited (status " + std::to_string(*status) + ")");
    else
      record("power-off", true,
             "QEMU stopped by signal (status " + std::to_string(m_qemu->stop()) + ")");
  }

  const BootSettings& m_settings;
  const std::function<void(const CheckResult&)>& m_on_check;
  TempPath m_temp;
  std::filesystem::path m_console_path;
  ConsoleLog m_console;
  std::filesystem::path m_key;
  std::string m_public_key;
  unsigned m_port = 0;
  Clock::time_point m_start;
  std::optional<ChildProcess> m_qemu;
  // Declared after m_qemu so it is undone before QEMU is reaped.
  std::optional<ForwardTerminationSignals> m_forward_signals;
  BootReport m_report;
};

} // namespace

BootReport run_boot(const BootSettings& settings,
                    const std::function<void(const CheckResult&)>& on_check)
{
  std::error_code ec;
  if (!std::filesystem::is_regular_file(settings.image, ec))
    throw Error("no image at " + quote(settings.image.string()), "compose boot");
  if (!settings.data_disk.empty() && !std::filesystem::is_regular_file(settings.data_disk, ec))
    throw Error("no data disk at " + quote(settings.data_disk.string()), "compose boot --data-disk",
                "make one with: truncate -s 1G FILE && mkfs.ext4 -L miget-data FILE");
  if (settings.keep_data && settings.data_disk.empty())
    throw Error("--keep-data needs a data disk", "compose boot --keep-data",
                "add --data-disk FILE");
  for (const auto& [file, option] : {std::pair{&settings.run_container, "--run-container"},
                                     std::pair{&settings.ssh_script, "--ssh-script"}})
    if (!file->empty() && !std::filesystem::is_regular_file(*file, ec))
      throw Error("no file at " + quote(file->string()), std::string("compose boot ") + option);
  Session session(settings, on_check);
  return session.run();
}

} // namespace compose::boot
