// Fetcher: cache first, then mirrors with retries, in parallel; see fetch.hpp.
#include "fetch/fetch.hpp"

#include <atomic>
#include <cstdlib>
#include <thread>

#include "fetch/cache.hpp"
#include "fetch/retry.hpp"
#include "fetch/sources.hpp"
#include "fetch/transfer.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace compose::fetch {

fs::path default_cache_dir()
{
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return fs::path(xdg) / "compose";
  if (const char* home = std::getenv("HOME"); home && *home)
    return fs::path(home) / ".cache" / "compose";
  return fs::path(".cache") / "compose";
}

Fetcher::Fetcher(Options options) : m_options(std::move(options))
{
  if (m_options.cache_dir.empty())
    m_options.cache_dir = default_cache_dir();
  if (m_options.parallel == 0)
    m_options.parallel = 1;
  Cache cache(m_options.cache_dir); // creates the directories, or says why it cannot
}

Fetcher::~Fetcher() = default;

std::optional<fs::path> Fetcher::find_cached(const std::string& sha256) const
{
  return Cache(m_options.cache_dir).find(sha256);
}

std::optional<Fetched> Fetcher::from_cache(const Request& request) const
{
  const Cache cache(m_options.cache_dir);
  std::optional<std::string> digest = request.sha256;
  if (!digest && !request.cache_key.empty())
    digest = cache.lookup(request.cache_key);
  if (!digest)
    return std::nullopt;
  const std::optional<fs::path> entry = cache.find(*digest, request.size);
  if (!entry)
    return std::nullopt;
  return Fetched{*entry, *digest, fs::file_size(*entry), "cache", true, {}, {}};
}

struct Fetcher::Download {
  TempPath file;
  std::string sha256;
  std::uint64_t size = 0;
  std::string url;    // the one it came from
  std::string mirror; // the repository mirror it came from, when not the first
};

Fetched Fetcher::fetch_one(const Request& request) const
{
  const bool may_use_cache =
      m_options.offline || request.freshness == Freshness::immutable;
  if (may_use_cache) {
    if (std::optional<Fetched> hit = from_cache(request))
      return *hit;
  }
  if (m_options.offline)
    throw Error("not in the cache: " + request.display_name,
                request.urls.empty() ? std::string() : request.urls.front());
  return keep(download(request), request);
}

namespace {

// The ceiling of `request`: its exact size when the index gives one, else its kind's,
// which the repository's max_index_size replaces for indexes.
Bounds bounds_for(const Request& request, const Options& options)
{
  Bounds bounds;
  if (request.size) {
    bounds.max_bytes = *request.size;
    bounds.too_large = "larger than the expected " + std::to_string(*request.size) + " bytes";
    return bounds;
  }
  bounds.max_bytes = default_ceiling(request.kind);
  if (is_index(request.kind) && !request.urls.empty())
    if (const RepositoryMirrors* repository = repository_of(request.urls.front(), options);
        repository && repository->max_index_size)
      bounds.max_bytes = *repository->max_index_size;
  bounds.too_large = "larger than " + describe_ceiling(request.kind, bounds.max_bytes);
  return bounds;
}

// Why a complete download is not the file asked for, or "" when it is.
std::string mismatch(const Request& request, const Attempt& result)
{
  if (request.size && result.size != *request.size)
    return "size is " + std::to_string(result.size) + " bytes, expected " +
           std::to_string(*request.size);
  if (request.sha256 && result.sha256 != *request.sha256)
    return "sha256 is " + result.sha256 + ", expected " + *request.sha256;
  return {};
}

bool missing_from_bundle(const Source& source, const Options& options)
{
  if (options.mirrors_only.empty())
    return false;
  if (source.url == source.public_url || !is_local(source.url))
    return true;
  return !fs::exists(source.url.starts_with("file://") ? source.url.substr(7) : source.url);
}

} // namespace

Fetcher::Download Fetcher::download(const Request& request) const
{
  if (request.urls.empty())
    throw Error("nowhere to fetch " + quote(request.display_name) + " from");
  const Cache cache(m_options.cache_dir);
  const Bounds bounds = bounds_for(request, m_options);
  std::vector<std::string> failures;
  std::optional<Error> rejection; // the validator's own error, kept whole
  for (const Source& source : sources_for(request.urls, m_options)) {
    const std::string& url = source.url;
    if (missing_from_bundle(source, m_options)) {
      failures.push_back(source.public_url + ": not in " + m_options.mirrors_only);
      continue;
    }
    // Written under cache/tmp; the TempPath removes it on every way out but keep().
    TempPath temporary = cache.temporary();
    const Tried tried = transfer_with_retries(url, temporary.path(), bounds, m_options);
    if (tried.last.outcome != Outcome::done) {
      failures.push_back(url + ": " + tried.last.problem + " (after " +
                         std::to_string(tried.attempts) + " attempt" +
                         (tried.attempts > 1 ? "s" : "") + ")");
      continue;
    }
    // A wrong file is not fixed by asking the same source again: the next one is tried.
    std::string problem = mismatch(request, tried.last);
    if (problem.empty() && request.validate) {
      try {
        request.validate(temporary.path());
      } catch (Error& e) {
        if (e.where().find(url) == std::string::npos)
          e.at(url);
        problem = e.describe();
        rejection = e;
      }
    }
    if (problem.empty())
      return Download{std::move(temporary), tried.last.sha256, tried.last.size, url,
                      source.mirror};
    failures.push_back(url + ": " + problem);
  }
  // One source that served a file its validator refused: that error says it best (and a
  // refused signed index must not read as a missing one).
  if (rejection && failures.size() == 1)
    throw *rejection;
  std::string text;
  for (const std::string& failure : failures)
    text += "\n    " + failure;
  throw Error("cannot fetch " + request.display_name + ":" + text);
}

Fetched Fetcher::keep(Download download, const Request& request) const
{
  const Cache cache(m_options.cache_dir);
  const fs::path entry = cache.commit(std::move(download.file), download.sha256);
  Fetched fetched{entry, download.sha256, download.size, download.url, false, download.mirror, {}};
  if (!download.mirror.empty()) {
    const std::lock_guard<std::mutex> lock(m_served_mutex);
    m_served_elsewhere[request.urls.front()] = download.mirror;
  }
  if (!request.cache_key.empty()) {
    if (request.adoption == Adoption::when_checked)
      cache.remember(request.cache_key, download.sha256);
    else
      fetched.unconfirmed_key = request.cache_key;
  }
  if (m_options.log)
    m_options.log->detail("fetched " + download.url + " (" + std::to_string(download.size) +
                          " bytes)");
  return fetched;
}

std::map<std::string, std::string> Fetcher::served_elsewhere() const
{
  const std::lock_guard<std::mutex> lock(m_served_mutex);
  return m_served_elsewhere;
}

void Fetcher::confirm(const Fetched& file) const
{
  if (!file.unconfirmed_key.empty())
    Cache(m_options.cache_dir).remember(file.unconfirmed_key, file.sha256);
}

std::vector<Fetched> Fetcher::fetch_together(const std::vector<Request>& requests,
                                             const GroupValidator& validate)
{
  if (m_options.offline)
    return fetch_all(requests);
  std::vector<Download> downloads;
  for (const Request& request : requests)
    downloads.push_back(download(request));
  std::vector<fs::path> paths;
  for (const Download& file : downloads)
    paths.push_back(file.file.path());
  validate(paths); // a refusal leaves them all in cache/tmp, where their TempPaths remove them
  std::vector<Fetched> kept;
  for (std::size_t i = 0; i < requests.size(); ++i)
    kept.push_back(keep(std::move(downloads[i]), requests[i]));
  return kept;
}

Fetched Fetcher::fetch(const Request& request)
{
  return fetch_all({request}).front();
}

std::vector<Fetched> Fetcher::fetch_all(const std::vector<Request>& requests)
{
  std::vector<std::optional<Fetched>> results(requests.size());
  std::vector<std::optional<Error>> errors(requests.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  auto worker = [&] {
    for (std::size_t i = next++; i < requests.size(); i = next++) {
      try {
        results[i] = fetch_one(requests[i]);
      } catch (const Error& e) {
        errors[i] = e;
      } catch (const std::exception& e) {
        errors[i] = Error(e.what());
      }
      const std::size_t finished = ++done;
      if (m_options.log)
        m_options.log->progress("fetch", finished, requests.size());
    }
  };
  const std::size_t threads = std::min<std::size_t>(m_options.parallel, requests.size());
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t)
    pool.emplace_back(worker);
  worker();
  for (std::thread& thread : pool)
    thread.join();
  if (m_options.log)
    m_options.log->progress_done();

  std::vector<Error> failed;
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (!errors[i])
      continue;
    if (m_options.offline)
      missing.push_back(requests[i].display_name +
                        (requests[i].urls.empty() ? "" : " (" + requests[i].urls.front() + ")"));
    else
      failed.push_back(*errors[i]);
  }
  if (!missing.empty()) {
    std::string text;
    for (const std::string& name : missing)
      text += "\n    " + name;
    throw Error(std::to_string(missing.size()) + " file(s) needed offline are not in the cache:" +
                    text,
                m_options.cache_dir.string(),
                "run once online to fill the cache, or point --cache-dir at a filled cache");
  }
  if (failed.size() == 1)
    throw failed.front(); // whole, with its place and hint
  if (!failed.empty()) {
    std::string text;
    for (const Error& failure : failed)
      text += "\n  " + failure.describe();
    throw Error(std::to_string(failed.size()) + " files failed:" + text);
  }
  std::vector<Fetched> out;
  out.reserve(results.size());
  for (auto& result : results)
    out.push_back(std::move(*result));
  return out;
}

} // namespace compose::fetch
