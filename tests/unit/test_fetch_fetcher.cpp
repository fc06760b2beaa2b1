// Fetcher: local and HTTP sources, the content-addressed cache, retries, mirrors, offline.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "fetch/fetch.hpp"
#include "fetch_scene.hpp"
#include "http_server_process.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;
using compose::Error;
using namespace compose::fetch;
using compose::testing::FetchScene;
using compose::testing::HttpServerProcess;

namespace {

Request request_for(const std::string& url, const std::string& name)
{
  Request request;
  request.urls = {url};
  request.display_name = name;
  request.cache_key = "test:" + name;
  return request;
}

} // namespace

TEST_SUITE("fetch::Fetcher")
{
  TEST_CASE("file:// and plain paths enter the cache under their digest")
  {
    FetchScene scene;
    const std::string digest = scene.put("a.bin", "alpha");
    Fetcher fetcher(scene.options());
    const Fetched viaurl = fetcher.fetch(request_for("file://" + (scene.mirror / "a.bin").string(), "a"));
    CHECK(viaurl.sha256 == digest);
    CHECK(viaurl.path == scene.cache / "sha256" / digest);
    CHECK(compose::read_file(viaurl.path) == "alpha");
    const Fetched viapath = fetcher.fetch(request_for((scene.mirror / "a.bin").string(), "b"));
    CHECK(viapath.sha256 == digest);
    CHECK(scene.temporaries() == 0);
  }

  TEST_CASE("many files over HTTP in parallel, then from the cache without the network")
  {
    FetchScene scene;
    std::vector<Request> requests;
    std::vector<std::string> digests;
    HttpServerProcess server(scene.mirror);
    for (int i = 0; i < 12; ++i) {
      const std::string name = "f" + std::to_string(i);
      digests.push_back(scene.put(name, std::string(1000u * static_cast<unsigned>(i + 1), static_cast<char>('a' + i))));
      Request request = request_for(server.url() + "/" + name, name);
      request.sha256 = digests.back();
      requests.push_back(request);
    }
    Fetcher fetcher(scene.options());
    const std::vector<Fetched> got = fetcher.fetch_all(requests);
    REQUIRE(got.size() == 12);
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].sha256 == digests[i]);
      CHECK_FALSE(got[i].from_cache);
    }
    Fetcher offline(scene.options(true));
    for (const Fetched& cached : offline.fetch_all(requests))
      CHECK(cached.from_cache);
  }

  TEST_CASE("a wrong digest or a rejecting validator leaves nothing in the cache")
  {
    FetchScene scene;
    scene.put("x", "payload");
    Fetcher fetcher(scene.options());
    SUBCASE("digest")
    {
      Request request = request_for((scene.mirror / "x").string(), "x");
      request.sha256 = std::string(64, '0');
      CHECK_THROWS_WITH_AS(fetcher.fetch(request), doctest::Contains("sha256 is"), Error);
    }
    SUBCASE("size")
    {
      Request request = request_for((scene.mirror / "x").string(), "x");
      request.size = 3;
      CHECK_THROWS_WITH_AS(fetcher.fetch(request), doctest::Contains("larger than the expected 3"),
                           Error);
    }
    SUBCASE("validator")
    {
      Request request = request_for((scene.mirror / "x").string(), "x");
      request.validate = [](const fs::path&) { throw Error("control checksum mismatch"); };
      CHECK_THROWS_WITH_AS(fetcher.fetch(request), doctest::Contains("control checksum mismatch"),
                           Error);
    }
    CHECK(scene.entries() == 0);
    CHECK(scene.temporaries() == 0);
    CHECK(fs::is_empty(scene.cache / "keys"));
  }

  TEST_CASE("a connection dropped mid-file is retried")
  {
    FetchScene scene;
    const std::string bytes(100000, 'z');
    const std::string digest = scene.put("big", bytes);
    scene.faults(R"({"/big": ["drop-after:1000"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json",
                             scene.dir.path() / "requests.log");
    Fetcher fetcher(scene.options());
    const Fetched got = fetcher.fetch(request_for(server.url() + "/big", "big"));
    CHECK(got.sha256 == digest);
    CHECK(scene.requests_for("/big") == 2);
  }

  TEST_CASE("a mirror that always drops the connection gives a clear error and no entry")
  {
    FetchScene scene;
    scene.put("big", std::string(50000, 'q'));
    scene.faults(R"({"/big": ["always:drop-after:100"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json",
                             scene.dir.path() / "requests.log");
    Fetcher fetcher(scene.options());
    CHECK_THROWS_WITH_AS(fetcher.fetch(request_for(server.url() + "/big", "big")),
                         doctest::Contains((server.url() + "/big").c_str()), Error);
    CHECK(scene.requests_for("/big") == 3); // first try + 2 retries
    CHECK(scene.entries() == 0);
    CHECK(scene.temporaries() == 0);
  }

  TEST_CASE("404 on the first mirror moves on to the next without retrying")
  {
    FetchScene scene;
    scene.put("pkg", "package bytes");
    scene.faults(R"({"/missing/pkg": ["always:status:404"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json",
                             scene.dir.path() / "requests.log");
    Request request = request_for(server.url() + "/missing/pkg", "pkg");
    request.urls.push_back(server.url() + "/pkg");
    Fetcher fetcher(scene.options());
    CHECK(compose::read_file(fetcher.fetch(request).path) == "package bytes");
    CHECK(scene.requests_for("/missing/pkg") == 1);
  }

  TEST_CASE("503 is transient and retried")
  {
    FetchScene scene;
    scene.put("idx", "index");
    scene.faults(R"({"/idx": ["status:503", "status:503"]})");
    HttpServerProcess server(scene.mirror, scene.dir.path() / "faults.json",
                             scene.dir.path() / "requests.log");
    Fetcher fetcher(scene.options());
    CHECK(compose::read_file(fetcher.fetch(request_for(server.url() + "/idx", "idx")).path) ==
          "index");
    CHECK(scene.requests_for("/idx") == 3);
  }

  TEST_CASE("offline: a miss names every missing file")
  {
    FetchScene scene;
    Fetcher fetcher(scene.options(true));
    std::vector<Request> requests{request_for("http://127.0.0.1:9/a.apk", "a.apk"),
                                  request_for("http://127.0.0.1:9/b.apk", "b.apk")};
    try {
      fetcher.fetch_all(requests);
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.message().find("2 file(s) needed offline") != std::string::npos);
      CHECK(e.message().find("a.apk") != std::string::npos);
      CHECK(e.message().find("b.apk") != std::string::npos);
      CHECK(e.hint().find("online") != std::string::npos);
    }
  }

  TEST_CASE("revalidate: online fetches afresh, offline uses the cached copy")
  {
    FetchScene scene;
    scene.put("APKINDEX.tar.gz", "first");
    Request request = request_for((scene.mirror / "APKINDEX.tar.gz").string(), "index");
    request.freshness = Freshness::revalidate;
    Fetcher online(scene.options());
    CHECK(compose::read_file(online.fetch(request).path) == "first");
    scene.put("APKINDEX.tar.gz", "second");
    CHECK(compose::read_file(online.fetch(request).path) == "second");
    fs::remove(scene.mirror / "APKINDEX.tar.gz");
    Fetcher offline(scene.options(true));
    const Fetched cached = offline.fetch(request);
    CHECK(cached.from_cache);
    CHECK(compose::read_file(cached.path) == "second");
  }

  TEST_CASE("an immutable entry found by its key needs no source")
  {
    FetchScene scene;
    scene.put("p.apk", "apk");
    Fetcher fetcher(scene.options());
    Request request = request_for((scene.mirror / "p.apk").string(), "p.apk");
    fetcher.fetch(request);
    fs::remove(scene.mirror / "p.apk");
    const Fetched again = fetcher.fetch(request);
    CHECK(again.from_cache);
    CHECK(fetcher.find_cached(again.sha256).has_value());
  }

  TEST_CASE("revalidate: a refused download neither enters the cache nor shadows the verified copy")
  {
    FetchScene scene;
    scene.put("InRelease", "signed: first");
    Request request = request_for((scene.mirror / "InRelease").string(), "InRelease");
    request.freshness = Freshness::revalidate;
    request.validate = [](const fs::path& file) {
      if (!compose::read_file(file).starts_with("signed: "))
        throw Error("index signature does not verify", "", "fetch it again");
    };
    Fetcher online(scene.options());
    CHECK(compose::read_file(online.fetch(request).path) == "signed: first");
    const std::string evil = scene.put("InRelease", "tampered");
    try {
      online.fetch(request);
      FAIL("expected the tampered index to be refused");
    } catch (const Error& e) {
      // The validator's own error, whole: a refused index does not read as a missing one.
      CHECK(e.message() == "index signature does not verify");
      CHECK(e.where() == (scene.mirror / "InRelease").string());
      CHECK(e.hint() == "fetch it again");
    }
    CHECK_FALSE(online.find_cached(evil).has_value());
    CHECK(scene.temporaries() == 0);
    Fetcher offline(scene.options(true));
    CHECK(compose::read_file(offline.fetch(request).path) == "signed: first");
  }

  TEST_CASE("when_confirmed: the key names the new file only once the caller confirms it")
  {
    FetchScene scene;
    scene.put("Release", "one");
    Request request = request_for((scene.mirror / "Release").string(), "Release");
    request.freshness = Freshness::revalidate;
    request.adoption = Adoption::when_confirmed;
    Fetcher online(scene.options());
    online.confirm(online.fetch(request));
    scene.put("Release", "two");
    const Fetched unconfirmed = online.fetch(request);
    CHECK(compose::read_file(unconfirmed.path) == "two");
    CHECK(unconfirmed.unconfirmed_key == "test:Release");
    Fetcher offline(scene.options(true));
    CHECK(compose::read_file(offline.fetch(request).path) == "one");
    online.confirm(unconfirmed);
    CHECK(compose::read_file(offline.fetch(request).path) == "two");
    online.confirm(offline.fetch(request)); // a cache hit has nothing to confirm
  }

  TEST_CASE("fetch_together: files trusted only together enter the cache only together")
  {
    FetchScene scene;
    scene.put("Release", "text");
    scene.put("Release.gpg", "signature of text");
    std::vector<Request> pair{request_for((scene.mirror / "Release").string(), "Release"),
                              request_for((scene.mirror / "Release.gpg").string(), "Release.gpg")};
    for (Request& request : pair)
      request.freshness = Freshness::revalidate;
    const GroupValidator matching = [](const std::vector<fs::path>& files) {
      REQUIRE(files.size() == 2);
      if (compose::read_file(files[1]) != "signature of " + compose::read_file(files[0]))
        throw Error("signature does not verify");
    };
    Fetcher online(scene.options());
    const std::vector<Fetched> good = online.fetch_together(pair, matching);
    CHECK(compose::read_file(good[0].path) == "text");
    CHECK(scene.entries() == 2);

    const std::string evil = scene.put("Release", "other text");
    CHECK_THROWS_WITH_AS(online.fetch_together(pair, matching),
                         doctest::Contains("signature does not verify"), Error);
    CHECK_FALSE(online.find_cached(evil).has_value());
    CHECK(scene.entries() == 2);
    CHECK(scene.temporaries() == 0);

    fs::remove(scene.mirror / "Release.gpg");
    CHECK_THROWS_WITH_AS(online.fetch_together(pair, matching),
                         doctest::Contains("cannot fetch Release.gpg"), Error);
    CHECK(scene.temporaries() == 0);

    Fetcher offline(scene.options(true));
    const std::vector<Fetched> cached = offline.fetch_together(pair, matching);
    CHECK(compose::read_file(cached[0].path) == "text");
    CHECK(compose::read_file(cached[1].path) == "signature of text");
  }
}
