// Child processes for `compose boot`: QEMU, ssh and ssh-keygen, started with posix_spawn.
// Only the PID we started is ever signalled, and a ChildProcess never outlives its owner.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace compose::boot {

using Clock = std::chrono::steady_clock;

class ChildProcess {
public:
  // Starts argv[0] (searched on PATH) with stdin from /dev/null and stdout/stderr appended
  // to the given files. Throws Error when the program cannot be started.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stdout_file,
               const std::filesystem::path& stderr_file);
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess(); // still running: SIGTERM, then SIGKILL after 5 s; always reaped

  pid_t pid() const { return m_pid; }
  // The exit status once it has exited (128 + signal when killed), without blocking.
  std::optional<int> poll();
  // Waits until it exits or the deadline passes.
  std::optional<int> wait_until(Clock::time_point deadline);
  // SIGTERM, then SIGKILL when it has not exited after `grace`; returns the status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

private:
  pid_t m_pid = -1;
  std::optional<int> m_status;
};

// While alive, SIGINT, SIGTERM and SIGHUP sent to compose are first passed on (as SIGTERM)
// to one child, then compose dies of them as before: an interrupted boot leaves no QEMU
// running. One at a time; the previous handlers come back on destruction.
class ForwardTerminationSignals {
public:
  explicit ForwardTerminationSignals(pid_t child);
  ForwardTerminationSignals(const ForwardTerminationSignals&) = delete;
  ForwardTerminationSignals& operator=(const ForwardTerminationSignals&) = delete;
  ~ForwardTerminationSignals();

private:
  struct sigaction m_previous[3];
};

struct CommandResult {
  int status = -1;     // exit status; -1 when the deadline passed and it was killed
  std::string output;  // stdout and stderr together
};

// Runs a command to completion with its output captured, killing it at the deadline.
CommandResult run_command(const std::vector<std::string>& argv, Clock::time_point deadline);

// The first executable called `name` on PATH, if any.
std::optional<std::filesystem::path> find_program(const std::string& name);

} // namespace compose::boot
