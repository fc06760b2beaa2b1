// Lock files: the JSON round trip (same lock, same bytes, sorted keys), atomic writing,
// where a recipe's lock lives, and every malformed lock named by its JSON path.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>

#include "lock/lock_file.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;
using compose::Error;
using namespace compose::lock;

namespace {

LockFile sample_lock()
{
  LockFile lock;
  lock.recipe = {"web", "web.toml", compose::sha256_hex("recipe"),
                 {{"web.toml", compose::sha256_hex("a")},
                  {"fragments/base.toml", compose::sha256_hex("b")}},
                 "alpine", "3.22", "x86_64"};
  lock.version = "1.0.0";
  lock.point_release = "3.22.0";
  lock.epoch = 1700000000;
  lock.world = {"busybox"};
  lock.keys = {{"test.rsa.pub", "apk-rsa", compose::sha256_hex("key"), {}}};
  LockedRepository main;
  main.url = "https://mirror.example/alpine/v3.22/main";
  main.branch = "v3.22";
  main.repo = "main";
  main.index = {main.url + "/x86_64/APKINDEX.tar.gz", compose::sha256_hex("index"), 0};
  main.signed_by = "test.rsa.pub";
  main.description = "v3.22.0";
  LockedRepository debian;
  debian.url = "http://deb.example/debian";
  debian.suite = "bookworm";
  debian.component = "main";
  debian.index = {debian.url + "/dists/bookworm/Release", compose::sha256_hex("release"), 0};
  debian.signature = {debian.url + "/dists/bookworm/Release.gpg", compose::sha256_hex("gpg"), 0};
  debian.packages = {debian.url + "/dists/bookworm/main/binary-amd64/Packages.xz",
                     compose::sha256_hex("packages"), 1234};
  debian.packages_path = "main/binary-amd64/Packages.xz";
  debian.signed_by = "B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8";
  debian.overrides = {debian.url +
                      "/dists/bookworm/Release: expired Valid-Until accepted (--allow-expired-release)"};
  lock.repositories = {main, debian};
  LockedPackage busybox;
  busybox.name = "busybox";
  busybox.version = "1.37.0-r18";
  busybox.architecture = "x86_64";
  busybox.url = main.url + "/x86_64/busybox-1.37.0-r18.apk";
  busybox.path = "x86_64/busybox-1.37.0-r18.apk";
  busybox.size = 512;
  busybox.digests = {{"apk-identity", "Q1abc="}};
  busybox.record = "C:Q1abc=\nP:busybox\nV:1.37.0-r18\n";
  busybox.reason = "requested";
  lock.packages = {busybox};
  lock.files = {{"/usr/local/bin/docker-compose", "https://example.org/v2.40.0/docker-compose",
                 compose::sha256_hex("compose")}};
  return lock;
}

} // namespace

TEST_SUITE("lock::lock_file")
{
  TEST_CASE("a lock reads back to the same bytes, keys sorted")
  {
    const std::string text = lock_json(sample_lock());
    CHECK(text == lock_json(sample_lock()));
    CHECK(text.ends_with("}\n"));
    const LockFile read = parse_lock(text, "web.lock.json");
    CHECK(lock_json(read) == text);
    CHECK(read.repositories.at(1).signature.url.ends_with("/Release.gpg"));
    CHECK(read.repositories.at(1).packages.size == 1234);
    CHECK(read.repositories.at(1).overrides == sample_lock().repositories.at(1).overrides);
    CHECK(read.repositories.at(0).overrides.empty());
    // Written only when there is one: locks without overrides keep their bytes.
    CHECK(text.find("verification_overrides") == text.rfind("verification_overrides"));
    CHECK(read.packages.at(0).digests.at("apk-identity") == "Q1abc=");
    // nlohmann::json objects are sorted maps: "architecture" < "digests" < "name".
    CHECK(text.find("\"architecture\"") < text.find("\"digests\""));
    CHECK(text.find("\"digests\"") < text.find("\"name\": \"busybox\""));
    CHECK(text.find("\"digest\": \"sha256:") != std::string::npos);
  }

  TEST_CASE("write_lock leaves the complete file and nothing else")
  {
    const compose::TempPath directory = compose::make_temp_directory("lock-test");
    const fs::path file = directory.path() / "web.lock.json";
    write_lock(file, sample_lock());
    CHECK(compose::read_file(file) == lock_json(sample_lock()));
    CHECK(std::distance(fs::directory_iterator(directory.path()), fs::directory_iterator()) == 1);
    CHECK_THROWS_WITH_AS(read_lock(directory.path() / "none.lock.json"),
                         doctest::Contains("no lock file"), Error);
  }

  TEST_CASE("a recipe's lock lives beside it")
  {
    CHECK(lock_path_for("recipes/alpine-3.22-dockerd.toml") ==
          fs::path("recipes/alpine-3.22-dockerd.lock.json"));
    CHECK(lock_path_for("/x/web.toml") == fs::path("/x/web.lock.json"));
    CHECK(lock_path_for("recipe") == fs::path("recipe.lock.json"));
  }

  TEST_CASE("malformed locks name the field")
  {
    using nlohmann::json;
    struct Case {
      const char* name;
      std::function<void(json&)> change;
      const char* message;
    };
    const std::vector<Case> cases = {
        {"format from the future", [](json& j) { j["format"] = 2; },
         "lock file: format is 2; this compose reads 1"},
        {"no recipe digest", [](json& j) { j["recipe"].erase("digest"); },
         "lock file: recipe has no 'digest'"},
        {"digest not hex", [](json& j) { j["recipe"]["digest"] = "sha256:XYZ"; },
         "lock file: recipe.digest is not a SHA-256 in lower-case hex: 'XYZ'"},
        {"epoch is text", [](json& j) { j["epoch"] = "yesterday"; },
         "lock file: epoch is not an integer"},
        {"negative epoch", [](json& j) { j["epoch"] = -1; }, "lock file: epoch is negative"},
        {"package in no repository", [](json& j) { j["packages"][0]["repository"] = 5; },
         "lock file: packages[0].repository names repository 5, but the lock lists 2"},
        {"size as text", [](json& j) { j["packages"][0]["size"] = "512"; },
         "lock file: packages[0].size is not a non-negative integer"},
        {"no digests", [](json& j) { j["packages"][0]["digests"] = json::object(); },
         "lock file: packages[0].digests is empty"},
        {"repository of no kind",
         [](json& j) {
           j["repositories"][0].erase("branch");
           j["repositories"][0].erase("repo");
         },
         "lock file: repositories[0] has neither 'branch' (Alpine) nor 'suite'"},
        {"keys not a list", [](json& j) { j["keys"] = "test.rsa.pub"; },
         "lock file: keys is not a list"},
        {"a key's digest missing", [](json& j) { j["keys"][0].erase("sha256"); },
         "lock file: keys[0] has no 'sha256'"},
        {"bad pinned file digest", [](json& j) { j["files"][0]["sha256"] = "00"; },
         "lock file: files[0].sha256 is not a SHA-256"},
        {"Debian index without its path",
         [](json& j) { j["repositories"][1]["packages"].erase("path"); },
         "lock file: repositories[1].packages has no 'path'"},
        {"document not an object", [](json& j) { j = json::array(); },
         "lock file: the document is not an object"},
    };
    for (const Case& c : cases) {
      SUBCASE(c.name)
      {
        json document = json::parse(lock_json(sample_lock()));
        c.change(document);
        CHECK_THROWS_WITH_AS(parse_lock(document.dump(), "web.lock.json"),
                             doctest::Contains(c.message), Error);
        try {
          parse_lock(document.dump(), "web.lock.json");
        } catch (const Error& e) {
          CHECK(e.where() == "web.lock.json");
        }
      }
    }
    SUBCASE("not JSON")
    {
      CHECK_THROWS_WITH_AS(parse_lock("{\"format\": 1,", "web.lock.json"),
                           doctest::Contains("lock file is not valid JSON"), Error);
    }
  }
}
