// Transfers with libcurl (http, https) or plain file reads; see transfer.hpp.
#include "fetch/transfer.hpp"

#include <cerrno>
#include <cstring>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>

#include "util/error.hpp"
#include "util/handles.hpp"
#include "util/hash.hpp"

namespace compose::fetch {

namespace {

struct Sink {
  std::FILE* file = nullptr;
  Hasher hasher{DigestAlgorithm::sha256};
  std::uint64_t size = 0;
  std::optional<std::uint64_t> limit;
  bool too_large = false;
  bool write_failed = false;
  int write_errno = 0; // why the write failed (ENOSPC, EDQUOT, EIO, …)
};

// "cannot write the download of URL: No space left on device", at the temp file.
[[noreturn]] void write_failure(const std::string& url, const std::filesystem::path& destination,
                                int error)
{
  throw Error("cannot write the download of " + url + ": " +
                  std::string(std::strerror(error ? error : EIO)),
              destination.string(),
              error == ENOSPC || error == EDQUOT
                  ? "free space on the cache's disk or point --cache-dir elsewhere"
                  : "check that the cache directory is writable");
}

std::size_t write_body(char* data, std::size_t one, std::size_t count, void* user)
{
  auto& sink = *static_cast<Sink*>(user);
  const std::size_t bytes = one * count;
  if (sink.limit && sink.size + bytes > *sink.limit) {
    sink.too_large = true;
    return 0; // makes curl stop with CURLE_WRITE_ERROR
  }
  if (std::fwrite(data, 1, bytes, sink.file) != bytes) {
    sink.write_failed = true;
    sink.write_errno = errno;
    return 0;
  }
  sink.hasher.update(data, bytes);
  sink.size += bytes;
  return bytes;
}

std::string local_path(const std::string& url)
{
  if (url.starts_with("file://"))
    return url.substr(7);
  return url;
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

Attempt read_local(const std::string& url, const std::filesystem::path& destination,
                   std::optional<std::uint64_t> expected_size)
{
  const std::string path = local_path(url);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return {Outcome::permanent, "cannot open " + path, {}, 0};
  std::unique_ptr<std::FILE, FreeWith<std::fclose>> out(std::fopen(destination.c_str(), "wb"));
  if (!out)
    write_failure(url, destination, errno);
  Sink sink;
  sink.file = out.get();
  sink.limit = expected_size;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got != 0 && write_body(buffer.data(), 1, got, &sink) != got)
      break;
  }
  if (sink.write_failed || std::fflush(out.get()) != 0)
    write_failure(url, destination, sink.write_failed ? sink.write_errno : errno);
  if (sink.too_large)
    return {Outcome::permanent, "larger than the expected " + std::to_string(*expected_size) +
                                    " bytes", {}, 0};
  if (in.bad())
    return {Outcome::permanent, "read error on " + path, {}, 0};
  return {Outcome::done, {}, sink.hasher.finish_hex(), sink.size};
}

} // namespace

bool is_local(const std::string& url)
{
  return url.starts_with("file://") || url.starts_with("/");
}

Attempt transfer(const std::string& url, const std::filesystem::path& destination,
                 std::optional<std::uint64_t> expected_size, const Options& options)
{
  if (is_local(url))
    return read_local(url, destination, expected_size);
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return {Outcome::permanent, "unsupported URL scheme (use http, https or file)", {}, 0};

  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  std::unique_ptr<std::FILE, FreeWith<std::fclose>> out(std::fopen(destination.c_str(), "wb"));
  if (!out)
    write_failure(url, destination, errno);
  CurlEasy curl(curl_easy_init());
  if (!curl)
    throw Error("cannot start libcurl");
  Sink sink;
  sink.file = out.get();
  sink.limit = expected_size;
  std::array<char, CURL_ERROR_SIZE> error_text{};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text.data());
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_seconds);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(handle, CURLOPT_LOW_SPEED_TIME, options.low_speed_seconds);
  curl_easy_setopt(handle, CURLOPT_USERAGENT, "compose/" COMPOSE_VERSION);
  const CURLcode code = curl_easy_perform(handle);
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  if (sink.write_failed || std::fflush(out.get()) != 0)
    write_failure(url, destination, sink.write_failed ? sink.write_errno : errno);
  if (sink.too_large)
    return {Outcome::permanent,
            "larger than the expected " + std::to_string(*expected_size) + " bytes", {}, 0};
  if (code != CURLE_OK) {
    const std::string text = error_text[0] ? error_text.data() : curl_easy_strerror(code);
    return {transient_curl_code(code) ? Outcome::transient : Outcome::permanent, text, {}, 0};
  }
  if (status >= 400)
    return {transient_status(status) ? Outcome::transient : Outcome::permanent,
            "HTTP " + std::to_string(status), {}, 0};
  return {Outcome::done, {}, sink.hasher.finish_hex(), sink.size};
}

} // namespace compose::fetch
