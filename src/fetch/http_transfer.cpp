// One http(s) transfer with libcurl, watched as it runs: the body may not pass its ceiling
// (nor may an announced Content-Length), a stall (no body byte for `stall`) aborts it, and
// so does the file's deadline. See transfer.hpp.
#include <array>
#include <mutex>

#include "fetch/body_sink.hpp"
#include "fetch/limits.hpp"
#include "fetch/transfer.hpp"
#include "util/error.hpp"
#include "util/handles.hpp"

namespace compose::fetch {

namespace {

using Clock = std::chrono::steady_clock;

struct Watch {
  BodySink* sink = nullptr;
  const Bounds* bounds = nullptr;
  CURL* handle = nullptr;
  Clock::time_point last_byte = Clock::now(); // of the last body byte (or the start)
  curl_off_t seen = 0;
  bool stalled = false;
  bool late = false;
  bool announced_too_large = false;
};

std::size_t write_body(char* data, std::size_t one, std::size_t count, void* user)
{
  auto& watch = *static_cast<Watch*>(user);
  const std::size_t bytes = one * count;
  // An error page is not the file: stop at once (its status says what went wrong).
  long status = 0;
  curl_easy_getinfo(watch.handle, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 400)
    return 0;
  // A short count makes curl stop with CURLE_WRITE_ERROR.
  return watch.sink->append(data, bytes) ? bytes : 0;
}

// Called by curl as data arrives and about once a second while none does.
int on_progress(void* user, curl_off_t announced, curl_off_t received, curl_off_t, curl_off_t)
{
  auto& watch = *static_cast<Watch*>(user);
  const Clock::time_point now = Clock::now();
  if (announced > 0 && static_cast<std::uint64_t>(announced) > watch.bounds->max_bytes) {
    watch.announced_too_large = true;
    return 1;
  }
  if (received != watch.seen) {
    watch.seen = received;
    watch.last_byte = now;
  }
  if (now >= watch.bounds->deadline) {
    watch.late = true;
    return 1;
  }
  if (now - watch.last_byte >= watch.bounds->stall) {
    watch.stalled = true;
    return 1;
  }
  return 0;
}

bool transient_curl_code(CURLcode code)
{
  switch (code) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_CONNECT:
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_PARTIAL_FILE:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return true;
  default:
    return false;
  }
}

bool transient_status(long status)
{
  return status == 408 || status == 429 || status >= 500;
}

std::string seconds_text(std::chrono::milliseconds duration)
{
  const auto count = duration.count();
  return count % 1000 == 0 ? std::to_string(count / 1000) + " s"
                           : std::to_string(count) + " ms";
}

} // namespace

Attempt http_transfer(const std::string& url, const std::filesystem::path& destination,
                      const Bounds& bounds, const Options& options)
{
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  BodySink sink(url, destination, bounds.max_bytes);
  CurlEasy curl(curl_easy_init());
  if (!curl)
    throw Error("cannot start libcurl");
  CURL* handle = curl.get();
  Watch watch{&sink, &bounds, handle};
  std::array<char, CURL_ERROR_SIZE> error_text{};
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &watch);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &watch);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text.data());
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "compose/" COMPOSE_VERSION);
  const CURLcode code = curl_easy_perform(handle);
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  sink.finish(); // a failed write to the cache is an Error, not a transfer problem
  if (status >= 400)
    return {transient_status(status) ? Outcome::transient : Outcome::permanent,
            "HTTP " + std::to_string(status), {}, 0};
  if (sink.too_large() || watch.announced_too_large)
    return {Outcome::permanent, bounds.too_large, {}, 0};
  if (watch.late)
    return {Outcome::permanent,
            "not complete by the deadline for the file (--file-timeout); " +
                byte_count(sink.size()) + " received",
            {}, 0};
  if (watch.stalled)
    return {Outcome::transient,
            "stalled: no data for " + seconds_text(bounds.stall) + " (--stall-timeout) after " +
                byte_count(sink.size()),
            {}, 0};
  if (code != CURLE_OK) {
    const std::string text = error_text[0] ? error_text.data() : curl_easy_strerror(code);
    return {transient_curl_code(code) ? Outcome::transient : Outcome::permanent, text, {}, 0};
  }
  return {Outcome::done, {}, sink.sha256(), sink.size()};
}

} // namespace compose::fetch
