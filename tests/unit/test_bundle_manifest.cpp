// The bundle manifest: canonical JSON round trip, bad manifests as a table with their
// messages, member path checks and the URL -> mirror path mapping and rewrites.
#include <doctest/doctest.h>

#include "bundle/manifest.hpp"
#include "fetch/fetch.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

#include <fstream>

using compose::Error;
using namespace compose::bundle;

namespace {

const std::string k_digest(64, 'a');

Manifest sample()
{
  Manifest manifest;
  manifest.recipes.push_back({"web", "recipes/web.toml", "recipes/web.lock.json"});
  manifest.members.push_back({"mirror/file/srv/m/v3.22/main/x86_64/APKINDEX.tar.gz", "index", 10,
                              k_digest, "file:///srv/m/v3.22/main/x86_64/APKINDEX.tar.gz"});
  manifest.members.push_back({"recipes/web.lock.json", "lock", 5, k_digest, ""});
  manifest.members.push_back({"recipes/web.toml", "recipe", 3, k_digest, ""});
  return manifest;
}

} // namespace

TEST_SUITE("bundle::manifest")
{
  TEST_CASE("a manifest survives its JSON unchanged, byte for byte")
  {
    const std::string text = manifest_json(sample());
    const Manifest parsed = parse_manifest(text, "manifest.json");
    CHECK(manifest_json(parsed) == text);
    REQUIRE(parsed.members.size() == 3);
    CHECK(parsed.members[0].url == "file:///srv/m/v3.22/main/x86_64/APKINDEX.tar.gz");
    CHECK(parsed.find("recipes/web.toml")->kind == "recipe");
    CHECK(parsed.find("recipes/none.toml") == nullptr);
    CHECK(parsed.find_url("file:///srv/m/v3.22/main/x86_64/APKINDEX.tar.gz") == &parsed.members[0]);
  }

  TEST_CASE("bad manifests are rejected with the field named")
  {
    struct Case {
      const char* name;
      std::string from, to; // replaced in the sample's JSON
      const char* message;
    };
    const std::string good = manifest_json(sample());
    const std::vector<Case> cases = {
        {"not JSON", "{", "[", "bundle manifest is not valid JSON"},
        {"another format", "\"format\": 1", "\"format\": 2", "format is 2; this compose reads 1"},
        {"unknown kind", "\"kind\": \"lock\"", "\"kind\": \"lokc\"",
         "members[1].kind is 'lokc', not a known kind"},
        {"short digest", "\"sha256\": \"" + k_digest + "\"", "\"sha256\": \"abc\"",
         "members[0].sha256 is not a SHA-256 in lower-case hex: 'abc'"},
        {"negative size", "\"size\": 5", "\"size\": -5",
         "members[1].size is not a non-negative integer"},
        {"escaping path", "\"path\": \"recipes/web.lock.json\"", "\"path\": \"recipes/../x\"",
         "members[1].path bundle member path 'recipes/../x' has a '..' part"},
        {"absolute path", "\"path\": \"recipes/web.lock.json\"", "\"path\": \"/etc/passwd\"",
         "members[1].path bundle member path '/etc/passwd' is absolute"},
        {"out of order", "\"path\": \"recipes/web.lock.json\"", "\"path\": \"recipes/z\"",
         "members[2].path 'recipes/web.toml' is out of order or listed twice"},
        {"URL at the wrong place", "\"url\": \"file:///srv/m/", "\"url\": \"file:///srv/n/",
         "belongs at 'mirror/file/srv/n/v3.22/main/x86_64/APKINDEX.tar.gz'"},
        {"recipe not listed", "\"recipe\": \"recipes/web.toml\"", "\"recipe\": \"recipes/x.toml\"",
         "recipes[0].recipe 'recipes/x.toml' is not a listed recipe member"},
        {"lock of the wrong kind", "\"lock\": \"recipes/web.lock.json\"",
         "\"lock\": \"recipes/web.toml\"", "recipes[0].lock 'recipes/web.toml' is not a listed lock"},
        {"missing field", "\"kind\": \"lock\",\n      ", "", "members[1] has no 'kind'"},
        {"another spelling", "\"format\": 1", "\"format\":   1",
         "bundle manifest is not in the form compose writes"},
    };
    for (const Case& c : cases) {
      SUBCASE(c.name)
      {
        std::string text = good;
        const std::size_t at = text.find(c.from);
        REQUIRE(at != std::string::npos);
        text.replace(at, c.from.size(), c.to);
        CHECK_THROWS_WITH_AS(parse_manifest(text, "manifest.json"), doctest::Contains(c.message),
                             Error);
      }
    }
  }

  TEST_CASE("downloads keep their public URL as a path below mirror/")
  {
    CHECK(mirror_path_for_url("https://dl-cdn.alpinelinux.org/alpine/v3.22/main/x86_64/a.apk") ==
          "mirror/https/dl-cdn.alpinelinux.org/alpine/v3.22/main/x86_64/a.apk");
    CHECK(mirror_path_for_url("http://127.0.0.1:8080/debian//dists/InRelease") ==
          "mirror/http/127.0.0.1:8080/debian/dists/InRelease");
    CHECK(mirror_path_for_url("file:///srv/mirror/x.apk") == "mirror/file/srv/mirror/x.apk");
    CHECK(mirror_path_for_url("/srv/mirror/x.apk") == "mirror/file/srv/mirror/x.apk");

    struct Case {
      const char* url;
      const char* message;
    };
    const std::vector<Case> cases = {
        {"ftp://host/x", "only http, https and file URLs and absolute paths can be bundled"},
        {"relative/x", "only http, https and file URLs and absolute paths can be bundled"},
        {"https://host/a/../b", "URL 'host/a/../b' has a '..' part"},
        {"https://host/", "URL 'https://host/' names no file"},
        {"file://relative", "file URL 'file://relative' names no absolute path"},
    };
    for (const Case& c : cases)
      SUBCASE(c.url)
      {
        CHECK_THROWS_WITH_AS(mirror_path_for_url(c.url), doctest::Contains(c.message), Error);
      }
  }

  TEST_CASE("the bundle's rewrites send every URL kind to its mirror path")
  {
    const auto mirrors = bundle_mirrors("/tmp/b");
    const std::vector<std::string> urls = {"https://host/p/a.apk", "http://host:81/q",
                                           "file:///srv/m/x", "/srv/m/y"};
    for (const std::string& url : urls) {
      const std::string rewritten = compose::fetch::mirrored_url(url, mirrors);
      const std::string path = rewritten.starts_with("file://") ? rewritten.substr(7) : rewritten;
      CHECK(path == "/tmp/b/" + mirror_path_for_url(url));
    }
    // Nothing else matches, so a strict fetcher refuses it.
    CHECK(compose::fetch::mirrored_url("ftp://host/x", mirrors) == "ftp://host/x");
  }

  TEST_CASE("a fetcher held to the bundle reads from it and refuses everything else")
  {
    const compose::TempPath dir = compose::make_temp_directory("bundle-test");
    const std::string present = "file:///srv/mirror/a.apk";
    std::filesystem::create_directories(dir.path() / "bundle/mirror/file/srv/mirror");
    std::ofstream(dir.path() / "bundle/mirror/file/srv/mirror/a.apk") << "apk";
    compose::fetch::Options options;
    options.cache_dir = dir.path() / "cache";
    options.mirrors = bundle_mirrors(dir.path() / "bundle");
    options.mirrors_only = "the bundle 'b.tar'";
    options.retries = 0;
    compose::fetch::Fetcher fetcher(options);
    const auto request = [](const std::string& url) {
      compose::fetch::Request r;
      r.urls = {url};
      r.display_name = url.substr(url.rfind('/') + 1);
      return r;
    };
    const compose::fetch::Fetched fetched = fetcher.fetch(request(present));
    CHECK(compose::read_file(fetched.path) == "apk");
    for (const char* url : {"file:///srv/mirror/b.apk", "https://example.org/b.apk",
                            "ftp://example.org/b.apk"})
      SUBCASE(url)
      {
        const std::string expected = std::string(url) + ": not in the bundle 'b.tar'";
        CHECK_THROWS_WITH_AS(fetcher.fetch(request(url)), doctest::Contains(expected.c_str()),
                             Error);
      }
  }

  TEST_CASE("member paths")
  {
    CHECK_NOTHROW(check_member_path("keys/a.rsa.pub"));
    struct Case {
      const char* path;
      const char* message;
    };
    const std::vector<Case> cases = {
        {"", "bundle member path is empty"},
        {"/abs", "is absolute"},
        {"a//b", "has an empty part"},
        {"a/", "has an empty part"},
        {"./a", "has a '.' part"},
        {"a\\b", "holds a NUL or a backslash"},
    };
    for (const Case& c : cases)
      SUBCASE(c.message)
      {
        CHECK_THROWS_WITH_AS(check_member_path(c.path), doctest::Contains(c.message), Error);
      }
  }
}
