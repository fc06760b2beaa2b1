// Log; see log.hpp.
#include "util/log.hpp"

#include "util/printable.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace compose {

Log::Log(Verbosity verbosity)
    : m_verbosity(verbosity), m_interactive(::isatty(STDERR_FILENO) == 1),
      m_start(std::chrono::steady_clock::now()), m_last_draw(m_start)
{
}

void Log::clear_progress_line()
{
  if (m_progress_shown) {
    std::fputs("\r\033[K", stderr);
    m_progress_shown = false;
  }
}

void Log::step(const std::string& text)
{
  if (m_verbosity == Verbosity::quiet)
    return;
  std::lock_guard lock(m_mutex);
  clear_progress_line();
  if (m_verbosity == Verbosity::verbose)
    std::fprintf(stderr, "[%7.2fs cpu %7.2fs] %s\n", seconds_since_start(), cpu_seconds(),
                 printable(text).c_str());
  else
    std::fprintf(stderr, "%s\n", printable(text).c_str());
}

void Log::detail(const std::string& text)
{
  if (m_verbosity != Verbosity::verbose)
    return;
  std::lock_guard lock(m_mutex);
  clear_progress_line();
  std::fprintf(stderr, "[%7.2fs]   %s\n", seconds_since_start(), printable(text).c_str());
}

void Log::warning(const std::string& text)
{
  std::lock_guard lock(m_mutex);
  clear_progress_line();
  std::fprintf(stderr, "compose: warning: %s\n", printable(text, true).c_str());
}

void Log::progress(const std::string& label, std::uint64_t done, std::uint64_t total)
{
  if (!m_interactive || m_verbosity == Verbosity::quiet)
    return;
  std::lock_guard lock(m_mutex);
  const auto now = std::chrono::steady_clock::now();
  if (done != total && now - m_last_draw < std::chrono::milliseconds(100))
    return;
  m_last_draw = now;
  std::fprintf(stderr, "\r\033[K%s %llu/%llu", label.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
  std::fflush(stderr);
  m_progress_shown = true;
}

void Log::progress_done()
{
  std::lock_guard lock(m_mutex);
  clear_progress_line();
}

double Log::cpu_seconds()
{
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double Log::seconds_since_start() const
{
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
}

Log& quiet_log()
{
  static Log log(Verbosity::quiet);
  return log;
}

} // namespace compose
