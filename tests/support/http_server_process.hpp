// Runs tests/support/http_server.py for the length of a test: starts it, learns its port,
// and kills it in the destructor.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace compose::testing {

class HttpServerProcess {
public:
  // Serves `root`; `faults` and `log` are passed as --faults / --log when not empty.
  explicit HttpServerProcess(const std::filesystem::path& root,
                             const std::filesystem::path& faults = {},
                             const std::filesystem::path& log = {});
  ~HttpServerProcess();
  HttpServerProcess(const HttpServerProcess&) = delete;
  HttpServerProcess& operator=(const HttpServerProcess&) = delete;

  int port() const { return m_port; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

private:
  pid_t m_pid = -1;
  int m_port = 0;
};

} // namespace compose::testing
