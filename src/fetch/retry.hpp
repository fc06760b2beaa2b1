// Retrying one source: transient failures (connection trouble, stalls, cut-off bodies,
// 408/429/5xx) are tried again after a pause that doubles each time, while attempts remain
// and the file's deadline on this source has not passed; anything else ends at once.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "fetch/transfer.hpp"

namespace compose::fetch {

// The pause before another attempt after `attempts_made` attempts, the last of which ended
// as `outcome`; nothing when there is to be none (not transient, no attempts left, or the
// pause would run past `deadline`).
std::optional<std::chrono::milliseconds> retry_pause(Outcome outcome, unsigned attempts_made,
                                                     const Options& options,
                                                     std::chrono::steady_clock::time_point now,
                                                     std::chrono::steady_clock::time_point deadline);

struct Tried {
  Attempt last;          // the final attempt (done, or why it failed)
  unsigned attempts = 0; // how many were made
};

// Transfers `url` into `destination` within `bounds` (its deadline set here, from
// options.file_timeout_seconds), retrying as retry_pause() says.
Tried transfer_with_retries(const std::string& url, const std::filesystem::path& destination,
                            Bounds bounds, const Options& options);

} // namespace compose::fetch
