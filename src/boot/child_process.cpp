// posix_spawn with file actions for stdio, and reaping by PID with waitpid. Output of
// run_command goes through a pipe read with poll(), so a silent child costs no CPU.
#include "boot/child_process.hpp"

#include <csignal>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "util/error.hpp"

extern char** environ;

namespace compose::boot {

namespace {

// Owns a posix_spawn_file_actions_t for the duration of one spawn.
class SpawnActions {
public:
  SpawnActions() { posix_spawn_file_actions_init(&m_actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&m_actions); }
  SpawnActions(const SpawnActions&) = delete;
  SpawnActions& operator=(const SpawnActions&) = delete;
  posix_spawn_file_actions_t* get() { return &m_actions; }

private:
  posix_spawn_file_actions_t m_actions;
};

// Owns a file descriptor.
class FileDescriptor {
public:
  explicit FileDescriptor(int fd = -1) : m_fd(fd) {}
  ~FileDescriptor() { reset(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return m_fd; }
  void reset()
  {
    if (m_fd >= 0)
      ::close(m_fd);
    m_fd = -1;
  }

private:
  int m_fd;
};

int decode_status(int raw)
{
  if (WIFEXITED(raw))
    return WEXITSTATUS(raw);
  if (WIFSIGNALED(raw))
    return 128 + WTERMSIG(raw);
  return -1;
}

pid_t spawn(const std::vector<std::string>& argv, SpawnActions& actions)
{
  if (argv.empty())
    throw Error("no program to start", "compose boot");
  std::vector<char*> raw;
  for (const std::string& argument : argv)
    raw.push_back(const_cast<char*>(argument.c_str()));
  raw.push_back(nullptr);
  // compose blocks SIGINT/SIGTERM in its own threads (util/interrupt_cleanup); a child must
  // start with nothing blocked, or QEMU and ssh could not be interrupted.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t nothing;
  sigemptyset(&nothing);
  posix_spawnattr_setsigmask(&attributes, &nothing);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, raw[0], actions.get(), &attributes, raw.data(), environ);
  posix_spawnattr_destroy(&attributes);
  if (error != 0)
    throw Error("cannot start " + quote(argv[0]) + ": " + std::strerror(error), "compose boot",
                "install it, or check PATH");
  return pid;
}

constexpr int k_forwarded_signals[3] = {SIGINT, SIGTERM, SIGHUP};

// The child a signal handler passes termination on to; 0 for none.
volatile sig_atomic_t g_forward_to = 0;

void forward_and_die(int signal_number)
{
  // Only async-signal-safe calls here: kill, sigaction (via signal) and raise.
  if (g_forward_to > 0)
    ::kill(static_cast<pid_t>(g_forward_to), SIGTERM);
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

} // namespace

ForwardTerminationSignals::ForwardTerminationSignals(pid_t child)
{
  g_forward_to = child;
  struct sigaction action {};
  action.sa_handler = forward_and_die;
  sigemptyset(&action.sa_mask);
  for (std::size_t index = 0; index < 3; ++index)
    ::sigaction(k_forwarded_signals[index], &action, &m_previous[index]);
}

ForwardTerminationSignals::~ForwardTerminationSignals()
{
  for (std::size_t index = 0; index < 3; ++index)
    ::sigaction(k_forwarded_signals[index], &m_previous[index], nullptr);
  g_forward_to = 0;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::filesystem::path& stdout_file,
                           const std::filesystem::path& stderr_file)
{
  SpawnActions actions;
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), 1, stdout_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_addopen(actions.get(), 2, stderr_file.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  m_pid = spawn(argv, actions);
}

ChildProcess::~ChildProcess()
{
  if (m_pid > 0 && !m_status)
    stop();
}

std::optional<int> ChildProcess::poll()
{
  if (m_status || m_pid <= 0)
    return m_status;
  int raw = 0;
  const pid_t result = ::waitpid(m_pid, &raw, WNOHANG);
  if (result == m_pid)
    m_status = decode_status(raw);
  return m_status;
}

std::optional<int> ChildProcess::wait_until(Clock::time_point deadline)
{
  // waitpid has no timeout; a short sleep between polls keeps this off the CPU.
  while (!poll() && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return m_status;
}

int ChildProcess::stop(std::chrono::milliseconds grace)
{
  if (poll())
    return *m_status;
  ::kill(m_pid, SIGTERM);
  if (wait_until(Clock::now() + grace))
    return *m_status;
  ::kill(m_pid, SIGKILL);
  int raw = 0;
  while (::waitpid(m_pid, &raw, 0) < 0 && errno == EINTR) {
  }
  m_status = decode_status(raw);
  return *m_status;
}

CommandResult run_command(const std::vector<std::string>& argv, Clock::time_point deadline)
{
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) != 0)
    throw Error(std::string("cannot make a pipe: ") + std::strerror(errno), "compose boot");
  FileDescriptor read_end(ends[0]);
  FileDescriptor write_end(ends[1]);
  SpawnActions actions;
  posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), 1);
  posix_spawn_file_actions_adddup2(actions.get(), write_end.get(), 2);
  const pid_t pid = spawn(argv, actions);
  write_end.reset();

  CommandResult result;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd entry{read_end.get(), POLLIN, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0) {
      timed_out = ready == 0;
      break;
    }
    char buffer[4096];
    const ssize_t count = ::read(read_end.get(), buffer, sizeof buffer);
    if (count < 0 && errno == EINTR)
      continue;
    if (count <= 0)
      break;
    result.output.append(buffer, static_cast<std::size_t>(count));
  }
  if (timed_out)
    ::kill(pid, SIGKILL);
  int raw = 0;
  while (::waitpid(pid, &raw, 0) < 0 && errno == EINTR) {
  }
  result.status = timed_out ? -1 : decode_status(raw);
  return result;
}

std::optional<std::filesystem::path> find_program(const std::string& name)
{
  const char* path = std::getenv("PATH");
  std::string directories = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= directories.size()) {
    std::size_t end = directories.find(':', start);
    if (end == std::string::npos)
      end = directories.size();
    const std::filesystem::path candidate =
        std::filesystem::path(directories.substr(start, end - start)) / name;
    if (::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

} // namespace compose::boot
