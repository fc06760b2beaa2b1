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

// Directories a build created on the way to its partial paths: removed only when empty.
std::map<std::filesystem::path, int>& created_directories()
{
  static std::map<std::filesystem::path, int> paths;
  return paths;
}

void add(std::map<std::filesystem::path, int>& paths, const std::filesystem::path& path)
{
  if (path.empty())
    return;
  const std::lock_guard lock(partials_mutex());
  ++paths[path];
}

void remove(std::map<std::filesystem::path, int>& paths, const std::filesystem::path& path)
{
  if (path.empty())
    return;
  const std::lock_guard lock(partials_mutex());
  const auto found = paths.find(path);
  if (found != paths.end() && --found->second <= 0)
    paths.erase(found);
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

void register_partial(const std::filesystem::path& path) { add(partials(), path); }

void unregister_partial(const std::filesystem::path& path) { remove(partials(), path); }

void register_created_directory(const std::filesystem::path& path)
{
  add(created_directories(), path);
}

void unregister_created_directory(const std::filesystem::path& path)
{
  remove(created_directories(), path);
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
      // Sorted, so a directory comes before what it contains: the reverse walk goes inside out.
      for (auto it = created_directories().rbegin(); it != created_directories().rend(); ++it) {
        std::error_code ignored;
        std::filesystem::remove(it->first, ignored); // only if empty
      }
    }
    static constexpr char message[] =
        "\ncompose: interrupted; partial outputs and downloads removed\n";
    [[maybe_unused]] const ssize_t written = ::write(2, message, sizeof message - 1);
    ::_exit(128 + signal);
  }).detach();
}

} // namespace compose
