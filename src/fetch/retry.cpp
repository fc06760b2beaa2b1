// Retries with back-off on one source; see retry.hpp.
#include "fetch/retry.hpp"

#include <algorithm>
#include <thread>

namespace compose::fetch {

using Clock = std::chrono::steady_clock;

std::optional<std::chrono::milliseconds> retry_pause(Outcome outcome, unsigned attempts_made,
                                                     const Options& options,
                                                     Clock::time_point now,
                                                     Clock::time_point deadline)
{
  if (outcome != Outcome::transient || attempts_made == 0 || attempts_made > options.retries)
    return std::nullopt;
  // 200, 400, 800 ms, … up to max_backoff_ms; the shift is bounded so it cannot overflow.
  const unsigned shift = std::min(attempts_made - 1, 20u);
  const std::uint64_t pause =
      std::min<std::uint64_t>(std::uint64_t{options.backoff_ms} << shift, options.max_backoff_ms);
  const std::chrono::milliseconds result(pause);
  if (deadline != Clock::time_point::max() && now + result >= deadline)
    return std::nullopt;
  return result;
}

Tried transfer_with_retries(const std::string& url, const std::filesystem::path& destination,
                            Bounds bounds, const Options& options)
{
  if (options.file_timeout_seconds > 0)
    bounds.deadline = Clock::now() + std::chrono::seconds(options.file_timeout_seconds);
  if (options.stall_seconds > 0)
    bounds.stall = std::chrono::seconds(options.stall_seconds);
  Tried tried;
  for (;;) {
    tried.last = transfer(url, destination, bounds, options);
    ++tried.attempts;
    const std::optional<std::chrono::milliseconds> pause =
        retry_pause(tried.last.outcome, tried.attempts, options, Clock::now(), bounds.deadline);
    if (!pause)
      return tried;
    if (options.log)
      options.log->detail(url + ": " + tried.last.problem + "; retrying in " +
                          std::to_string(pause->count()) + " ms");
    std::this_thread::sleep_for(*pause);
  }
}

} // namespace compose::fetch
