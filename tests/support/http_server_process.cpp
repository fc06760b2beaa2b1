// HttpServerProcess; see http_server_process.hpp.
#include "http_server_process.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

#include "test_paths.hpp"

namespace compose::testing {

HttpServerProcess::HttpServerProcess(const std::filesystem::path& root,
                                     const std::filesystem::path& faults,
                                     const std::filesystem::path& log)
{
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0)
    throw std::runtime_error("pipe failed");
  const std::string script = (source_dir() / "tests" / "support" / "http_server.py").string();
  std::vector<std::string> args{"python3", script, root.string()};
  if (!faults.empty()) {
    args.push_back("--faults");
    args.push_back(faults.string());
  }
  if (!log.empty()) {
    args.push_back("--log");
    args.push_back(log.string());
  }
  m_pid = ::fork();
  if (m_pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    std::vector<char*> argv;
    for (std::string& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execvp("python3", argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  std::FILE* out = ::fdopen(pipe_fds[0], "r");
  if (!out || std::fscanf(out, "%d", &m_port) != 1) {
    if (out)
      std::fclose(out);
    ::kill(m_pid, SIGKILL);
    ::waitpid(m_pid, nullptr, 0);
    throw std::runtime_error("http_server.py did not start");
  }
  std::fclose(out);
}

HttpServerProcess::~HttpServerProcess()
{
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    ::waitpid(m_pid, nullptr, 0);
  }
}

} // namespace compose::testing
