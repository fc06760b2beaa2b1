// Diagnostics on stderr: "compose: warning: …", step lines, and one redrawn progress line
// when stderr is a terminal (plain lines otherwise). The only place that reads the clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace compose {

enum class Verbosity { quiet, normal, verbose };

class Log {
public:
  explicit Log(Verbosity verbosity = Verbosity::normal);

  void step(const std::string& text);    // "fetch 312 packages"
  void detail(const std::string& text);  // only with -v
  void warning(const std::string& text); // always, even with -q
  // Progress of a counted step; redraws one line on a terminal, silent otherwise.
  void progress(const std::string& label, std::uint64_t done, std::uint64_t total);
  void progress_done();

  Verbosity verbosity() const { return m_verbosity; }
  bool interactive() const { return m_interactive; }
  double seconds_since_start() const;
  // CPU time (user + system) of the whole process so far, all threads: with -v each step
  // line shows it next to the wall time, which on a busy machine says more.
  static double cpu_seconds();

private:
  void clear_progress_line();
  Verbosity m_verbosity;
  bool m_interactive;
  bool m_progress_shown = false;
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_last_draw;
  std::mutex m_mutex;
};

// A Log that prints nothing but warnings; for tests and library callers.
Log& quiet_log();

} // namespace compose
