// Bundled recipes load as their lock built them (the lock's release inputs unless given
// others, url = "host-apt" as the lock recorded it), and verify_bundle on a real bundle of a
// generated, signed Alpine repository: it passes, and each kind of inconsistency a manifest
// cannot catch (another signer, a package that is not its record, a lock naming what the
// index lacks, another key, an edited recipe, an unnamed download) fails with its message.
#include <doctest/doctest.h>

#include <fstream>

#include "apk_builder.hpp"
#include "bundle/bundle_archive.hpp"
#include "lock/lock_file.hpp"
#include "pipeline/bundle_collect.hpp"
#include "pipeline/bundle_verify.hpp"
#include "pipeline/lock_recipe.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;
using compose::Error;

namespace {

const char* k_recipe = R"(name = "deb"
distribution = "debian"
release = "bookworm"
architecture = "amd64"
base = "none"
packages = ["mawk"]

[[repositories]]
url = "https://deb.example.org/extra"
suites = ["${release}"]
components = ["main", "contrib"]
keys = ["debian-archive-keyring.gpg"]

[[repositories]]
url = "host-apt"
suites = ["${release}", "${release}-updates"]
components = ["main"]
keys = ["debian-archive-keyring.gpg"]

[image]
labels = { version = "${version}" }
)";

compose::lock::LockFile lock_with_urls(const std::vector<std::string>& urls)
{
  compose::lock::LockFile lock;
  lock.version = "1.2.3";
  lock.point_release = "12.8";
  for (const std::string& url : urls) {
    compose::lock::LockedRepository repository;
    repository.url = url;
    lock.repositories.push_back(repository);
  }
  return lock;
}

// A signed repository with one package, a recipe on it, its lock, and the bundle of it
// unpacked into `unpacked`.
struct BundledRepository {
  compose::TempPath directory = compose::make_temp_directory("bundle-verify");
  compose::testing::RsaTestKey key{"bundle-verify"};
  compose::Log log{compose::Verbosity::quiet};
  fs::path unpacked;
  compose::bundle::Manifest manifest;
  compose::lock::LockFile lock;

  static compose::testing::ApkSpec hello(const std::string& content)
  {
    compose::testing::ApkSpec spec;
    spec.name = "hello";
    spec.version = "1.0-r0";
    spec.files = {compose::testing::apk_file("usr/bin/hello", content, 0755)};
    return spec;
  }

  BundledRepository()
  {
    const fs::path root = directory.path();
    key.write_public(root / "trust");
    std::ofstream(root / "trust/test.toml")
        << "[[key]]\nname = \"" << key.name() << "\"\nkind = \"apk-rsa\"\nurl = \"https://example.org/"
        << key.name() << "\"\nsha256 = \"" << compose::sha256_hex(key.public_pem()) << "\"\n";
    compose::testing::write_apk_repo(root / "mirror/v3.22/main", "x86_64", {hello("hi\n")}, key);
    fs::create_directories(root / "recipes");
    std::ofstream(root / "recipes/r.toml")
        << "name = \"r\"\ndistribution = \"alpine\"\nrelease = \"3.22\"\narchitecture = "
           "\"x86_64\"\npackages = [\"hello\"]\n\n[[repositories]]\nurl = \"file://"
        << (root / "mirror").string() << "\"\nbranch = \"v3.22\"\nrepos = [\"main\"]\nkeys = [\""
        << key.name() << "\"]\n\n[outputs]\nformats = [\"rootfs-tar\"]\n";

    compose::pipeline::BuildOptions options;
    options.trust_dir = root / "trust";
    options.keys_dirs = {root / "trust"};
    options.fetch.cache_dir = root / "cache";
    options.epoch = 1600000000;
    options.fetch.log = &log;
    options.log = &log;
    compose::pipeline::BundleInput input;
    input.recipe = compose::recipe::load_recipe(root / "recipes/r.toml");
    lock = compose::pipeline::lock_recipe(input.recipe, options);
    input.lock = lock;
    input.lock_file = root / "recipes/r.lock.json";
    compose::lock::write_lock(input.lock_file, lock);
    input.trust_dir = root / "trust";
    compose::pipeline::write_bundle({input}, options, root / "b.tar");
    unpacked = root / "unpacked";
    manifest = compose::bundle::unpack_bundle(root / "b.tar", unpacked);
  }

  const compose::bundle::Member& member(const std::string& kind)
  {
    for (const compose::bundle::Member& m : manifest.members)
      if (m.kind == kind)
        return m;
    FAIL("no member of kind " << kind);
    throw;
  }
  // Replaces a member's bytes and lists the new digest, as a consistent forger would.
  void replace(const std::string& kind, const std::string& bytes)
  {
    std::string path = member(kind).path;
    compose::write_file_atomic(unpacked / path, bytes);
    for (compose::bundle::Member& m : manifest.members)
      if (m.path == path) {
        m.sha256 = compose::sha256_hex(bytes);
        m.size = bytes.size();
      }
  }
  void verify()
  {
    compose::pipeline::verify_bundle(unpacked, manifest, {}, log);
  }
};

} // namespace

TEST_SUITE("pipeline::bundle_verify")
{
  TEST_CASE("a bundle of a signed repository verifies")
  {
    BundledRepository bundled;
    const compose::pipeline::BundleSummary summary =
        compose::pipeline::verify_bundle(bundled.unpacked, bundled.manifest, {}, bundled.log);
    CHECK(summary.recipes == 1);
    CHECK(summary.indexes == 1);
    CHECK(summary.packages == 1);
    CHECK(summary.keys == 1);
  }

  TEST_CASE("what a manifest cannot catch, the locks, keys and signatures do")
  {
    BundledRepository bundled;
    const std::string records = compose::read_file(bundled.unpacked / bundled.member("index").path);

    SUBCASE("an index signed by another key under the trusted name")
    {
      compose::testing::RsaTestKey other{"another-signer"};
      other.rename(bundled.key.name());
      const compose::testing::BuiltApk apk =
          compose::testing::make_apk(BundledRepository::hello("hi\n"), other);
      bundled.replace("index", compose::testing::make_apkindex(
                                   compose::testing::index_record(BundledRepository::hello("hi\n"), apk),
                                   other));
      CHECK_THROWS_WITH_AS(bundled.verify(), doctest::Contains("signature does not verify"), Error);
    }
    SUBCASE("a package that is not its signed record")
    {
      const compose::testing::BuiltApk apk =
          compose::testing::make_apk(BundledRepository::hello("changed\n"), bundled.key);
      bundled.replace("package", apk.bytes);
      CHECK_THROWS_WITH_AS(bundled.verify(),
                           doctest::Contains("hello-1.0-r0.apk' (package): package file is"), Error);
    }
    SUBCASE("a lock pinning another whole-file digest")
    {
      std::string text = compose::read_file(bundled.unpacked / "recipes/r.lock.json");
      const std::string pinned = compose::sha256_hex(
          compose::read_file(bundled.unpacked / bundled.member("package").path));
      const std::size_t at = text.find(pinned);
      REQUIRE(at != std::string::npos);
      text.replace(at, pinned.size(), std::string(64, '0'));
      bundled.replace("lock", text);
      const std::string expected = "(package): sha256 is " + pinned + ", the lock pins " +
                                   std::string(64, '0') + " for hello 1.0-r0";
      CHECK_THROWS_WITH_AS(bundled.verify(), doctest::Contains(expected.c_str()), Error);
    }
    SUBCASE("a lock naming a version the signed index lacks")
    {
      std::string text = compose::read_file(bundled.unpacked / "recipes/r.lock.json");
      const std::size_t at = text.find("\"version\": \"1.0-r0\"");
      REQUIRE(at != std::string::npos);
      text.replace(at, 20, "\"version\": \"9.9-r0\"");
      bundled.replace("lock", text);
      CHECK_THROWS_WITH_AS(bundled.verify(),
                           doctest::Contains("the lock names hello 9.9-r0 (x86_64), which the signed index"),
                           Error);
    }
    SUBCASE("a key that is not the pinned one")
    {
      compose::testing::RsaTestKey other{"another-key"};
      bundled.replace("key", other.public_pem());
      CHECK_THROWS_WITH_AS(bundled.verify(), doctest::Contains("does not match its pin"), Error);
    }
    SUBCASE("a recipe edited after locking")
    {
      std::string text = compose::read_file(bundled.unpacked / "recipes/r.toml");
      text.replace(text.find("\"hello\""), 7, "\"hello\", \"busybox\"");
      bundled.replace("recipe", text);
      CHECK_THROWS_WITH_AS(bundled.verify(), doctest::Contains("the recipe and its lock disagree"),
                           Error);
    }
    SUBCASE("a download no lock names")
    {
      compose::write_file_atomic(bundled.unpacked / "mirror/file/extra", "x");
      bundled.manifest.members.push_back(
          {"mirror/file/extra", "file", 1, compose::sha256_hex("x"), "file:///extra"});
      CHECK_THROWS_WITH_AS(
          bundled.verify(),
          doctest::Contains("bundle member 'mirror/file/extra' (file): no bundled lock names it"),
          Error);
    }
  }

  TEST_CASE("host-apt becomes the URL the lock recorded, in repository order")
  {
    const compose::TempPath dir = compose::make_temp_directory("bundle-test");
    std::ofstream(dir.path() / "deb.toml") << k_recipe;
    // Two entries for the first repository (main, contrib), then the host-apt one.
    const compose::lock::LockFile lock =
        lock_with_urls({"https://deb.example.org/extra", "https://deb.example.org/extra",
                        "http://mirror.example.net/debian", "http://mirror.example.net/debian"});
    const compose::recipe::Recipe recipe =
        compose::pipeline::load_bundled_recipe(dir.path() / "deb.toml", lock);
    REQUIRE(recipe.repositories.size() == 2);
    CHECK(recipe.repositories[0].url == "https://deb.example.org/extra");
    CHECK(recipe.repositories[1].url == "http://mirror.example.net/debian");
    CHECK(recipe.version == "1.2.3");
    CHECK(recipe.point_release == "12.8");
    CHECK(recipe.image.labels.at("version") == "1.2.3");

    compose::recipe::BuildInputs inputs;
    inputs.version = "2.0.0";
    const compose::recipe::Recipe released =
        compose::pipeline::load_bundled_recipe(dir.path() / "deb.toml", lock, inputs);
    CHECK(released.version == "2.0.0");
    CHECK(released.point_release == "12.8");
  }
}
