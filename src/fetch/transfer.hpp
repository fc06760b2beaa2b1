// One transfer attempt: a URL (http, https, file) or a local path streamed into a file while
// its SHA-256 is computed, classified as done, worth retrying, or hopeless.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "fetch/fetch.hpp"

namespace compose::fetch {

enum class Outcome {
  done,
  transient, // connection trouble, timeouts, cut-off transfers, 408/429/5xx: retry
  permanent, // 404, 403, bad URL, too large: try the next mirror
};

struct Attempt {
  Outcome outcome = Outcome::done;
  std::string problem; // what went wrong ("HTTP 503", curl's text), empty when done
  std::string sha256;  // of what was written, when done
  std::uint64_t size = 0;
};

// Writes the resource to `destination` (created or truncated). A file larger than
// `expected_size` is cut off and reported as permanent.
Attempt transfer(const std::string& url, const std::filesystem::path& destination,
                 std::optional<std::uint64_t> expected_size, const Options& options);

// True for file:// URLs and plain paths, which are read straight from disk.
bool is_local(const std::string& url);

} // namespace compose::fetch
