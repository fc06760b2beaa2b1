// Bounded transfers (issue 18): ceilings, stalls, deadlines, retries with back-off, and
// repository mirror lists; a refused download never enters the cache.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>

#include "fetch/fetch.hpp"
#include "fetch/limits.hpp"
#include "fetch/retry.hpp"
#include "fetch/sources.hpp"
#include "fetch_scene.hpp"
#include "http_server_process.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using compose::Error;
using namespace compose::fetch;
using compose::testing::FetchScene;
using compose::testing::HttpServerProcess;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

Request request_for(const std::string& url, Kind kind)
{
  Request request;
  request.urls = {url};
  request.kind = kind;
  request.display_name = url.substr(url.rfind('/') + 1);
  return request;
}

// The error fetching `request` gives (fails the test when there is none).
std::string failure_of(Fetcher& fetcher, const Request& request)
{
  try {
    fetcher.fetch(request);
  } catch (const Error& e) {
    return e.describe();
  }
  FAIL("expected the fetch to fail");
  return {};
}

double seconds_since(Clock::time_point start)
{
  return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

TEST_SUITE("fetch::bounds")
{
  TEST_CASE("retry_pause: transient failures only, doubling, capped, within the deadline")
  {
    Options options;
    options.retries = 3;
    options.backoff_ms = 200;
    options.max_backoff_ms = 500;
    const Clock::time_point now = Clock::now();
    const Clock::time_point never = Clock::time_point::max();
    CHECK(retry_pause(Outcome::transient, 1, options, now, never) == milliseconds(200));
    CHECK(retry_pause(Outcome::transient, 2, options, now, never) == milliseconds(400));
    CHECK(retry_pause(Outcome::transient, 3, options, now, never) == milliseconds(500));
    CHECK_FALSE(retry_pause(Outcome::transient, 4, options, now, never)); // attempts used up
    CHECK_FALSE(retry_pause(Outcome::permanent, 1, options, now, never));
    CHECK_FALSE(retry_pause(Outcome::done, 1, options, now, never));
    // A pause that would run past the deadline is not taken.
    CHECK_FALSE(retry_pause(Outcome::transient, 1, options, now, now + milliseconds(100)));
    options.retries = 0;
    CHECK_FALSE(retry_pause(Outcome::transient, 1, options, now, never));
  }

  TEST_CASE("ceilings: documented defaults, described with how to raise them")
  {
    CHECK(default_ceiling(Kind::index) == 32u << 20);
    CHECK(default_ceiling(Kind::packages_index) == 512u << 20);
    CHECK(default_ceiling(Kind::signature) == 1u << 20);
    CHECK(default_ceiling(Kind::key) == 1u << 20);
    CHECK(byte_count(3u << 20) == "3 MiB");
    CHECK(byte_count(1536) == "1536 bytes");
    CHECK(byte_count(2048) == "2 KiB");
    CHECK(describe_ceiling(Kind::index, 32u << 20).find("max_index_size") != std::string::npos);
  }

  TEST_CASE("sources: every URL on the first mirror, then on the next; --mirror applies to all")
  {
    Options options;
    options.repositories = {{{"https://a.example/debian", "https://b.example/deb/",
                              "file:///srv/c"},
                             {}}};
    options.mirrors = {{"https://b.example/deb", "file:///copy/b"}};
    const std::vector<Source> sources =
        sources_for({"https://a.example/debian/dists/x/by-hash/SHA256/ab",
                     "https://a.example/debian/dists/x/Packages.xz"},
                    options);
    REQUIRE(sources.size() == 6);
    CHECK(sources[0].url == "https://a.example/debian/dists/x/by-hash/SHA256/ab");
    CHECK(sources[0].mirror.empty());
    CHECK(sources[1].url == "https://a.example/debian/dists/x/Packages.xz");
    CHECK(sources[2].public_url == "https://b.example/deb/dists/x/by-hash/SHA256/ab");
    CHECK(sources[2].url == "file:///copy/b/dists/x/by-hash/SHA256/ab");
    CHECK(sources[2].mirror == "https://b.example/deb/");
    CHECK(sources[3].public_url == "https://b.example/deb/dists/x/Packages.xz");
    CHECK(sources[5].url == "file:///srv/c/dists/x/Packages.xz");
    // A URL outside every repository, and a URL of a look-alike directory, have one source.
    CHECK(sources_for({"https://a.example/debian-security/x"}, options).size() == 1);
    // A bundle build serves canonical URLs only.
    options.mirrors_only = "the bundle";
    CHECK(sources_for({"https://a.example/debian/dists/x/Release"}, options).size() == 1);
  }

  TEST_CASE("a body with no Content-Length stops at the ceiling, long before the server does")
  {
    FetchScene scene;
    scene.put("Release.gpg", "sig");
    scene.faults(R"({"/Release.gpg": ["always:endless"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json");
    Fetcher fetcher(scene.options());
    const std::string url = server.url() + "/Release.gpg";
    const Clock::time_point start = Clock::now();
    const std::string error = failure_of(fetcher, request_for(url, Kind::signature));
    CHECK(seconds_since(start) < 10);
    CHECK(error.find(url) != std::string::npos);
    CHECK(error.find("larger than the 1 MiB limit for a signature") != std::string::npos);
    CHECK(error.find("(after 1 attempt)") != std::string::npos); // not retried
    CHECK(scene.entries() == 0);
    CHECK(scene.temporaries() == 0);
  }

  TEST_CASE("an announced Content-Length over the ceiling fails before the body is read")
  {
    FetchScene scene;
    scene.put("APKINDEX.tar.gz", std::string(4000, 'i'));
    HttpServerProcess server(scene.mirror);
    Options options = scene.options();
    options.repositories = {{{server.url()}, 1000}};
    Fetcher fetcher(options);
    const std::string error =
        failure_of(fetcher, request_for(server.url() + "/APKINDEX.tar.gz", Kind::index));
    CHECK(error.find("larger than the 1000 bytes limit for an index (raise it with "
                     "max_index_size") != std::string::npos);
    options.repositories = {{{server.url()}, 4000}};
    Fetcher raised(options);
    CHECK(raised.fetch(request_for(server.url() + "/APKINDEX.tar.gz", Kind::index)).size == 4000);
  }

  TEST_CASE("a body longer than the signed size is cut off there")
  {
    FetchScene scene;
    scene.put("p.apk", std::string(5000, 'p'));
    scene.faults(R"({"/p.apk": ["always:oversize:100000000"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json");
    Fetcher fetcher(scene.options());
    Request request = request_for(server.url() + "/p.apk", Kind::package);
    request.size = 5000;
    CHECK(failure_of(fetcher, request).find("larger than the expected 5000 bytes") !=
          std::string::npos);
    CHECK(scene.entries() == 0);
  }

  TEST_CASE("a stall fails the attempt after --stall-timeout, and is retried")
  {
    FetchScene scene;
    scene.put("idx", std::string(3000, 'x'));
    scene.faults(R"({"/idx": ["stall-after:100", "stall-after:100"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json",
                             scene.dir.path() / "requests.log");
    Options options = scene.options();
    options.stall_seconds = 1;
    options.retries = 1;
    Fetcher fetcher(options);
    const std::string url = server.url() + "/idx";
    const Clock::time_point start = Clock::now();
    const std::string error = failure_of(fetcher, request_for(url, Kind::index));
    CHECK(seconds_since(start) < 8);
    CHECK(error.find(url + ": stalled: no data for 1 s (--stall-timeout) after 100 bytes "
                           "(after 2 attempts)") != std::string::npos);
    CHECK(scene.requests_for("/idx") == 2);
    CHECK(scene.temporaries() == 0);
    // The faults are used up: the next fetch gets the file.
    CHECK(fetcher.fetch(request_for(url, Kind::index)).size == 3000);
  }

  TEST_CASE("a trickle that keeps the stall timer quiet still meets the file's deadline")
  {
    FetchScene scene;
    scene.put("idx", std::string(100000, 'x'));
    scene.faults(R"({"/idx": ["always:trickle:500"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json",
                             scene.dir.path() / "requests.log");
    Options options = scene.options();
    options.file_timeout_seconds = 2;
    Fetcher fetcher(options);
    const Clock::time_point start = Clock::now();
    const std::string error = failure_of(fetcher, request_for(server.url() + "/idx", Kind::index));
    CHECK(seconds_since(start) < 6);
    CHECK(error.find("not complete by the deadline for the file (--file-timeout)") !=
          std::string::npos);
    CHECK(scene.requests_for("/idx") == 1); // the deadline covers every attempt
  }

  TEST_CASE("a redirect loop, a lying Content-Length and a 403 are errors naming the URL")
  {
    FetchScene scene;
    scene.put("a", "aaaa");
    scene.put("b", "bbbb");
    scene.put("c", "cccc");
    scene.faults(R"({"/a": ["always:redirect-loop"], "/b": ["always:announce:10"],
                     "/c": ["always:status:403"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json",
                             scene.dir.path() / "requests.log");
    Fetcher fetcher(scene.options());
    CHECK(failure_of(fetcher, request_for(server.url() + "/a", Kind::file))
              .find(server.url() + "/a: Maximum (5) redirects followed") != std::string::npos);
    // Announced 10, sent 4, closed: a short body, retried, then given up.
    CHECK(failure_of(fetcher, request_for(server.url() + "/b", Kind::file))
              .find(server.url() + "/b: ") != std::string::npos);
    CHECK(scene.requests_for("/b") == 3);
    CHECK(failure_of(fetcher, request_for(server.url() + "/c", Kind::file))
              .find(server.url() + "/c: HTTP 403 (after 1 attempt)") != std::string::npos);
    CHECK(scene.requests_for("/c") == 1);
    CHECK(scene.entries() == 0);
  }

  TEST_CASE("wrong bytes on the first mirror: the next mirror serves, and is recorded")
  {
    FetchScene scene;
    std::filesystem::create_directories(scene.mirror / "first");
    const std::string digest = scene.put("first/p.deb", "the package");
    scene.put("p.deb", "the package");
    scene.faults(R"({"/first/p.deb": ["always:flip:3"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json",
                             scene.dir.path() / "requests.log");
    Options options = scene.options();
    // The same directory under another name, as a second mirror of the repository.
    options.repositories = {{{server.url() + "/first", "file://" + scene.mirror.string()}, {}}};
    Fetcher fetcher(options);
    Request request = request_for(server.url() + "/first/p.deb", Kind::package);
    request.sha256 = digest;
    const Fetched got = fetcher.fetch(request);
    CHECK(got.sha256 == digest);
    CHECK(got.mirror == "file://" + scene.mirror.string());
    CHECK(scene.requests_for("/first/p.deb") == 1); // a wrong file is not asked for again
    CHECK(fetcher.served_elsewhere().at(server.url() + "/first/p.deb") ==
          "file://" + scene.mirror.string());
    CHECK(scene.entries() == 1);
  }
}
