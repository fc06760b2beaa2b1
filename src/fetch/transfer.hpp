// One transfer attempt: a URL (http, https, file) or a local path streamed into a file while
// its SHA-256 is computed, within bounds (size, stall, deadline), classified as done, worth
// retrying, or hopeless on this mirror.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>

#include "fetch/fetch.hpp"

namespace compose::fetch {

enum class Outcome {
  done,
  transient, // connection trouble, stalls, cut-off transfers, 408/429/5xx: retry
  permanent, // 404, 403, bad URL, too large, deadline passed: try the next mirror
};

struct Attempt {
  Outcome outcome = Outcome::done;
  std::string problem; // what went wrong ("HTTP 503", curl's text), empty when done
  std::string sha256;  // of what was written, when done
  std::uint64_t size = 0;
};

struct Bounds {
  // The body may not pass this many bytes (an announced Content-Length over it fails before
  // the body is read); `too_large` is the problem then ("larger than the expected 812 bytes").
  std::uint64_t max_bytes = std::numeric_limits<std::uint64_t>::max();
  std::string too_large = "too large";
  // No body byte for this long is a stall (transient); passing the deadline is permanent.
  std::chrono::milliseconds stall{std::chrono::seconds(30)};
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Writes the resource to `destination` (created or truncated). Throws Error only when the
// destination cannot be written (with the OS reason); every transfer problem is an Attempt.
Attempt transfer(const std::string& url, const std::filesystem::path& destination,
                 const Bounds& bounds, const Options& options);

// The http(s) part of transfer(), with libcurl.
Attempt http_transfer(const std::string& url, const std::filesystem::path& destination,
                      const Bounds& bounds, const Options& options);

// True for file:// URLs and plain paths, which are read straight from disk.
bool is_local(const std::string& url);

} // namespace compose::fetch
