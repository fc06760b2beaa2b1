// check_lock and check_locked_keys: a lock agrees with the recipe it was made from; every
// way they can disagree (a file edited, added or dropped, repositories, a request no locked
// package satisfies, a pinned file, the target, the keys) is named in the message.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "lock/lock_file.hpp"
#include "pipeline/lock_check.hpp"
#include "recipe/recipe.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;
using compose::Error;
using namespace compose;

namespace {

void write_text(const fs::path& path, const std::string& text)
{
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

const char* const k_compose_sha256 =
    "bd5835ccbbf06a42dcb5294c65e34a4634b34447afb9ed6fc7adf18a000e0f99";

const std::string k_fragment = R"(distribution = "alpine"
architecture = "x86_64"

[[repositories]]
url = "https://mirror.example/alpine"
branch = "v${release}"
repos = ["main", "community"]
keys = ["test.rsa.pub"]
)";

std::string recipe_text(const std::string& packages)
{
  return R"(include = ["fragments/base.toml"]
name = "web"
release = "3.22"
packages = [)" + packages + R"(]

[[files]]
path = "/usr/local/bin/docker-compose"
url = "https://example.org/download/v2.40.0/docker-compose"
sha256 = ")" + k_compose_sha256 + "\"\n";
}

lock::LockedPackage locked_package(const std::string& name, const std::string& version,
                                   const std::string& provides = "")
{
  lock::LockedPackage package;
  package.name = name;
  package.version = version;
  package.architecture = "x86_64";
  package.path = "x86_64/" + name + "-" + version + ".apk";
  package.size = 100;
  package.digests = {{"apk-identity", "Q1" + name + "="}};
  package.record = "C:Q1" + name + "=\nP:" + name + "\nV:" + version + "\nA:x86_64\nS:100\n" +
                   (provides.empty() ? "" : "p:" + provides + "\n");
  return package;
}

// A lock as `compose lock` would write it for the recipe in `directory`.
lock::LockFile lock_for(const recipe::Recipe& recipe)
{
  lock::LockFile lock;
  lock.recipe.name = recipe.name;
  lock.recipe.file = recipe.file.filename().string();
  lock.recipe.digest = recipe.digest;
  for (const recipe::FileDigest& file : recipe.file_digests)
    lock.recipe.files.push_back({file.path, file.sha256});
  lock.recipe.distribution = "alpine";
  lock.recipe.release = "3.22";
  lock.recipe.architecture = "x86_64";
  for (const char* repo : {"main", "community"}) {
    lock::LockedRepository repository;
    repository.branch = "v3.22";
    repository.repo = repo;
    lock.repositories.push_back(repository);
  }
  lock.packages = {locked_package("busybox", "1.37.0-r18"),
                   locked_package("busybox-binsh", "1.37.0-r18", "cmd:sh=1.37.0-r18"),
                   locked_package("docker", "28.3.3-r3")};
  lock.files = {{"/usr/local/bin/docker-compose",
                 "https://example.org/download/v2.40.0/docker-compose", k_compose_sha256}};
  return lock;
}

struct Fixture {
  TempPath directory = make_temp_directory("lock-check");
  fs::path recipe_file = directory.path() / "web.toml";
  Fixture(const std::string& packages = R"("busybox", "cmd:sh", "docker>=25")")
  {
    write_text(directory.path() / "fragments" / "base.toml", k_fragment);
    write_text(recipe_file, recipe_text(packages));
  }
  recipe::Recipe load() const { return recipe::load_recipe(recipe_file); }
};

} // namespace

TEST_SUITE("pipeline::lock_check")
{
  TEST_CASE("a lock made from the recipe agrees with it")
  {
    const Fixture fixture;
    const recipe::Recipe recipe = fixture.load();
    CHECK(recipe.file_digests.size() == 2);
    CHECK(recipe.file_digests.at(0).path == "fragments/base.toml");
    CHECK(recipe.file_digests.at(1).path == "web.toml");
    CHECK_NOTHROW(pipeline::check_lock(recipe, lock_for(recipe), "web.lock.json"));
  }

  TEST_CASE("disagreements are named")
  {
    struct Case {
      const char* name;
      // Changes the recipe on disk after locking, or the lock.
      std::function<void(const Fixture&, lock::LockFile&)> change;
      std::vector<const char*> messages;
    };
    const std::vector<Case> cases = {
        {"fragment edited after locking",
         [](const Fixture& f, lock::LockFile&) {
           write_text(f.directory.path() / "fragments" / "base.toml", k_fragment + "# edit\n");
         },
         {"the recipe and its lock disagree: 'fragments/base.toml' changed since locking "
          "(sha256 "}},
        {"recipe asks for a package the lock lacks",
         [](const Fixture& f, lock::LockFile&) {
           write_text(f.recipe_file, recipe_text(R"("busybox", "cmd:sh", "docker", "htop")"));
         },
         {"(2 problems)", "'web.toml' changed since locking",
          "the recipe requests 'htop', which no locked package satisfies"}},
        {"locked version no longer satisfies the request",
         [](const Fixture&, lock::LockFile& lock) {
           lock.packages.back() = locked_package("docker", "24.0.9-r0");
         },
         {"the recipe requests 'docker>=25', which no locked package satisfies"}},
        {"a provide no longer locked",
         [](const Fixture&, lock::LockFile& lock) {
           lock.packages.at(1) = locked_package("busybox-binsh", "1.37.0-r18");
         },
         {"the recipe requests 'cmd:sh', which no locked package satisfies"}},
        {"a fragment dropped",
         [](const Fixture&, lock::LockFile& lock) {
           lock.recipe.files.push_back({"fragments/old.toml", sha256_hex("old")});
         },
         {"'fragments/old.toml' is in the lock but no longer read by the recipe"}},
        {"a fragment added",
         [](const Fixture&, lock::LockFile& lock) { lock.recipe.files.erase(lock.recipe.files.begin()); },
         {"'fragments/base.toml' is read by the recipe but not in the lock"}},
        {"repositories differ",
         [](const Fixture&, lock::LockFile& lock) { lock.repositories.pop_back(); },
         {"the repositories differ: the recipe has v3.22/main, v3.22/community; the lock "
          "v3.22/main"}},
        {"another architecture",
         [](const Fixture&, lock::LockFile& lock) { lock.recipe.architecture = "aarch64"; },
         {"the recipe builds alpine 3.22 x86_64, the lock alpine 3.22 aarch64"}},
        {"pinned file digest",
         [](const Fixture&, lock::LockFile& lock) { lock.files.at(0).sha256 = sha256_hex("x"); },
         {"the pinned file 'https://example.org/download/v2.40.0/docker-compose' has sha256 "
          "bd5835ccbbf0… in the recipe"}},
        {"pinned file not locked",
         [](const Fixture&, lock::LockFile& lock) { lock.files.clear(); },
         {"the pinned file 'https://example.org/download/v2.40.0/docker-compose' is not in "
          "the lock"}},
    };
    for (const Case& c : cases) {
      SUBCASE(c.name)
      {
        const Fixture fixture;
        lock::LockFile lock = lock_for(fixture.load());
        c.change(fixture, lock);
        const recipe::Recipe recipe = fixture.load();
        try {
          pipeline::check_lock(recipe, lock, "web.lock.json");
          FAIL("no error");
        } catch (const Error& e) {
          for (const char* message : c.messages)
            CHECK_MESSAGE(e.message().find(message) != std::string::npos, e.message());
          CHECK(e.where() == "web.lock.json");
          CHECK(e.hint().find("compose lock") != std::string::npos);
        }
      }
    }
  }

  TEST_CASE("keys must be the locked ones")
  {
    lock::LockFile lock;
    lock.keys = {{"a.rsa.pub", "apk-rsa", sha256_hex("a"), {}},
                 {"b.gpg", "openpgp", sha256_hex("b"), {"AAAA"}}};
    CHECK_NOTHROW(pipeline::check_locked_keys(lock.keys, lock));
    struct Case {
      const char* name;
      std::function<void(std::vector<lock::LockedKey>&)> change;
      const char* message;
    };
    const std::vector<Case> cases = {
        {"other bytes", [](auto& keys) { keys[0].sha256 = sha256_hex("other"); },
         "the trusted keys differ from the lock: key 'a.rsa.pub' has sha256 "},
        {"other fingerprints", [](auto& keys) { keys[1].fingerprints = {"BBBB"}; },
         "key 'b.gpg' is pinned to other fingerprints than in the lock"},
        {"a key no longer trusted", [](auto& keys) { keys.pop_back(); },
         "key 'b.gpg' is in the lock but no longer trusted"},
        {"a new key",
         [](auto& keys) { keys.push_back({"c.rsa.pub", "apk-rsa", sha256_hex("c"), {}}); },
         "key 'c.rsa.pub' is trusted now but not in the lock"},
    };
    for (const Case& c : cases) {
      SUBCASE(c.name)
      {
        std::vector<lock::LockedKey> loaded = lock.keys;
        c.change(loaded);
        CHECK_THROWS_WITH_AS(pipeline::check_locked_keys(loaded, lock),
                             doctest::Contains(c.message), Error);
      }
    }
  }
}
