// Bundled recipes load as their lock built them: the lock's release inputs unless given
// others, and url = "host-apt" as the lock recorded it rather than this machine's mirror.
#include <doctest/doctest.h>

#include <fstream>

#include "pipeline/bundle_verify.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;

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

} // namespace

TEST_SUITE("pipeline::bundle_verify")
{
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
