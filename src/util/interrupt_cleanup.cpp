// remove_partials_on_interrupt() and the list it empties; see interrupt_cleanup.hpp.
#include "util/interrupt_cleanup.hpp"

#include <csignal>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>

#include <unistd.h>

namespace compose {

namespace {

std::mutex& partials_mutex()
{
  static std::mutex mutex;
  return mutex;
}

// A path may be listed twice (a TempPath moved while its old owner lives on); count them.
std::map<std::filesystem::path, int>& partials()
{
  static std::map<std::filesystem::path, int> paths;
  return paths;
}

bool g_installed = false;

sigset_t interrupt_signals()
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

} // namespace

void register_partial(const std::filesystem::path& path)
{
  if (path.empty())
    return;
  const std::lock_guard lock(partials_mutex());
  ++partials()[path];
}

void unregister_partial(const std::filesystem::path& path)
{
  if (path.empty())
    return;
  const std::lock_guard lock(partials_mutex());
  const auto found = partials().find(path);
  if (found != partials().end() && --found->second <= 0)
    partials().erase(found);
}

void remove_partials_on_interrupt()
{
  if (g_installed)
    return;
  g_installed = true;
  const sigset_t set = interrupt_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int signal = 0;
    if (sigwait(&set, &signal) != 0)
      return;
    {
      // Other threads may still be writing; the lock keeps new temporaries from appearing
      // between this sweep and the exit.
      partials_mutex().lock();
      for (const auto& [path, count] : partials()) {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
      }
    }
    static constexpr char message[] =
        "\ncompose: interrupted; partial outputs and downloads removed\n";
    [[maybe_unused]] const ssize_t written = ::write(2, message, sizeof message - 1);
    ::_exit(128 + signal);
  }).detach();
}

} // namespace compose
