// Fetching: http(s)://, file:// and plain paths, in parallel, through a content-addressed
// cache. A file enters the cache only after its checks pass (written to cache/tmp, then
// renamed to cache/sha256/<hex>): its size and digest when known, then the request's
// validator (an index's signature, an .apk's signed control member). A rejected or failed
// transfer leaves nothing behind and never replaces the entry a cache key names.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fetch/limits.hpp"
#include "util/log.hpp"

namespace compose::fetch {

// How a cached copy may stand in for the network.
enum class Freshness {
  immutable,  // packages, pinned files: a cache hit is final, no network needed
  revalidate, // signed indexes: fetch when online; use the cached copy only --offline
};

// When a checked download becomes the cache's answer for its `cache_key`.
enum class Adoption {
  when_checked,   // as soon as it passes its own checks
  when_confirmed, // only at Fetcher::confirm(): a Release is adopted together with the
                  // Packages indexes it signs, as apt commits an update as one transaction
};

struct Request {
  std::vector<std::string> urls; // mirrors, tried in order
  // Stable name for the cache lookup when the whole-file digest is not known in advance
  // ("apk:Q1…" for an .apk, the URL for an index). Empty: use `sha256`.
  std::string cache_key;
  std::optional<std::string> sha256; // expected whole-file digest (hex), when known
  std::optional<std::uint64_t> size; // expected size, when known
  Kind kind = Kind::file;            // its ceiling when `size` is not known (limits.hpp)
  Freshness freshness = Freshness::immutable;
  // Runs on the complete temporary file before it enters the cache; throws Error to
  // reject it (e.g. an .apk whose control member does not match the index).
  std::function<void(const std::filesystem::path&)> validate;
  Adoption adoption = Adoption::when_checked;
  std::string display_name; // for progress and messages ("busybox-1.36.1-r15.apk")
};

struct Fetched {
  std::filesystem::path path; // the cache entry (read-only use)
  std::string sha256;         // hex, of the whole file
  std::uint64_t size = 0;
  std::string url;            // where it came from ("cache" when offline)
  bool from_cache = false;
  std::string mirror;         // the repository mirror that served it, when not the first
  std::string unconfirmed_key; // Adoption::when_confirmed: the key confirm() will record
};

// Checks files that are only trusted together (a Release and its detached signature).
using GroupValidator = std::function<void(const std::vector<std::filesystem::path>&)>;

// A recipe repository's mirrors (`url`, or `urls = [...]`): files under the first are also
// found under each other one, tried in order when one fails or serves bytes that fail their
// checks. Results, cache keys and reports keep the first (canonical) URL.
struct RepositoryMirrors {
  std::vector<std::string> urls;               // bases, the canonical one first
  std::optional<std::uint64_t> max_index_size; // replaces the index ceilings (limits.hpp)
};

struct Options {
  std::filesystem::path cache_dir; // default: default_cache_dir()
  bool offline = false;
  unsigned parallel = 8;           // concurrent transfers
  unsigned retries = 3;            // extra attempts on one mirror after a transient failure
  unsigned backoff_ms = 200;       // first pause before a retry; doubles each time…
  unsigned max_backoff_ms = 5000;  // …up to this
  long connect_timeout_seconds = 30;
  long stall_seconds = 30;         // --stall-timeout: no body byte for this long fails an attempt
  long file_timeout_seconds = 600; // --file-timeout: all attempts at one file on one mirror
  std::vector<RepositoryMirrors> repositories;
  // --mirror: transfers of URLs starting with FROM go to TO instead (longest FROM wins).
  // Requests, cache keys and results keep the public URL; messages name the one tried.
  std::vector<std::pair<std::string, std::string>> mirrors;
  // Non-empty: the mirrors are the only source ("the bundle"): a URL no FROM matches, or
  // whose local copy is missing, fails as "not in <mirrors_only>" and is never fetched.
  std::string mirrors_only;
  Log* log = nullptr;
};

// `url` with the longest matching FROM prefix of `mirrors` replaced by its TO. A FROM
// matches whole path parts ("https://a/debian" does not match "https://a/debian-security").
std::string mirrored_url(const std::string& url,
                         const std::vector<std::pair<std::string, std::string>>& mirrors);

// $XDG_CACHE_HOME/compose, else $HOME/.cache/compose.
std::filesystem::path default_cache_dir();

class Fetcher {
public:
  explicit Fetcher(Options options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Fetches every request (in parallel) and returns results in request order. Collects
  // all failures and throws one Error listing them ("3 files failed: …"); with --offline
  // the error names every file missing from the cache.
  std::vector<Fetched> fetch_all(const std::vector<Request>& requests);
  Fetched fetch(const Request& request);
  // Fetches files that are trusted only together: each passes its own checks, then
  // `validate` sees them all before any enters the cache. Offline, the cached copies are
  // returned (they were checked together when they entered). Throws Error as fetch_all.
  std::vector<Fetched> fetch_together(const std::vector<Request>& requests,
                                      const GroupValidator& validate);
  // Makes `file`'s cache key name it (Adoption::when_confirmed); nothing for cache hits.
  void confirm(const Fetched& file) const;
  // Canonical URL -> the other repository mirror that served it, for every file so far
  // that the first mirror did not serve (the build report names them).
  std::map<std::string, std::string> served_elsewhere() const;

  // A cache entry by digest, if present.
  std::optional<std::filesystem::path> find_cached(const std::string& sha256) const;
  const Options& options() const { return m_options; }

private:
  struct Download; // a checked file still in cache/tmp (removed unless kept)
  Fetched fetch_one(const Request& request) const;
  std::optional<Fetched> from_cache(const Request& request) const;
  // Tries each source (the request's URLs on each repository mirror, with retries) until
  // one gives a file that passes the request's checks; throws Error listing every failure,
  // or the validator's Error itself when it rejected the only source's file.
  Download download(const Request& request) const;
  // Moves a checked download into the cache and records its key (Adoption::when_checked).
  Fetched keep(Download download, const Request& request) const;
  Options m_options;
  mutable std::mutex m_served_mutex;
  mutable std::map<std::string, std::string> m_served_elsewhere;
};

} // namespace compose::fetch
