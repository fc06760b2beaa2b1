// Transfers: plain file reads here, http(s) in http_transfer.cpp; see transfer.hpp.
#include "fetch/transfer.hpp"

#include <array>
#include <fstream>

#include "fetch/body_sink.hpp"

namespace compose::fetch {

namespace {

std::string local_path(const std::string& url)
{
  if (url.starts_with("file://"))
    return url.substr(7);
  return url;
}

Attempt read_local(const std::string& url, const std::filesystem::path& destination,
                   const Bounds& bounds)
{
  const std::string path = local_path(url);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return {Outcome::permanent, "cannot open " + path, {}, 0};
  BodySink sink(url, destination, bounds.max_bytes);
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    const auto got = static_cast<std::size_t>(in.gcount());
    if (got != 0 && !sink.append(buffer.data(), got))
      break;
  }
  sink.finish();
  if (sink.too_large())
    return {Outcome::permanent, bounds.too_large, {}, 0};
  if (in.bad())
    return {Outcome::permanent, "read error on " + path, {}, 0};
  return {Outcome::done, {}, sink.sha256(), sink.size()};
}

} // namespace

bool is_local(const std::string& url)
{
  return url.starts_with("file://") || url.starts_with("/");
}

Attempt transfer(const std::string& url, const std::filesystem::path& destination,
                 const Bounds& bounds, const Options& options)
{
  if (is_local(url))
    return read_local(url, destination, bounds);
  if (!url.starts_with("http://") && !url.starts_with("https://"))
    return {Outcome::permanent, "unsupported URL scheme (use http, https or file)", {}, 0};
  return http_transfer(url, destination, bounds, options);
}

} // namespace compose::fetch
