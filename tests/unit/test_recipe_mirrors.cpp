// A repository's mirror list (`urls`) and index ceiling (`max_index_size`), as read from a
// recipe and as handed to the fetcher.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "pipeline/mirrors.hpp"
#include "recipe/recipe.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using compose::Error;

namespace {

const std::string k_head = "name = \"t\"\ndistribution = \"alpine\"\nrelease = \"3.22\"\n"
                           "packages = [\"busybox\"]\n[[repositories]]\n"
                           "branch = \"v3.22\"\nrepos = [\"main\"]\nkeys = [\"k\"]\n";

compose::recipe::Recipe load(const std::string& repository_lines)
{
  const compose::TempPath dir = compose::make_temp_directory("recipe-mirrors-");
  const std::filesystem::path file = dir.path() / "recipe.toml";
  compose::write_file_atomic(file, k_head + repository_lines);
  return compose::recipe::load_recipe(file);
}

// The error loading the recipe gives, as "message @ line:column" (fails when there is none).
std::string refusal(const std::string& repository_lines)
{
  try {
    load(repository_lines);
  } catch (const Error& e) {
    return e.message() + " @ " + e.where().substr(e.where().rfind("recipe.toml:") + 12);
  }
  FAIL("expected the recipe to be refused");
  return {};
}

} // namespace

TEST_SUITE("recipe::mirrors")
{
  TEST_CASE("urls: the first is the repository's URL, the rest its mirrors, in order")
  {
    const compose::recipe::Recipe recipe =
        load("urls = [\"https://a/alpine\", \"https://b/alpine/\", \"file:///srv/c\"]\n"
             "max_index_size = \"64M\"\n");
    const compose::recipe::RepositorySpec& repository = recipe.repositories.at(0);
    CHECK(repository.url == "https://a/alpine");
    CHECK(repository.mirrors == std::vector<std::string>{"https://b/alpine/", "file:///srv/c"});
    CHECK(repository.max_index_size == std::uint64_t{64} << 20);

    const std::vector<compose::fetch::RepositoryMirrors> fetched =
        compose::pipeline::repository_mirrors(recipe);
    REQUIRE(fetched.size() == 1);
    CHECK(fetched[0].urls ==
          std::vector<std::string>{"https://a/alpine", "https://b/alpine/", "file:///srv/c"});
    CHECK(fetched[0].max_index_size == std::uint64_t{64} << 20);
  }

  TEST_CASE("url alone: no mirrors, the default ceiling")
  {
    const compose::recipe::Recipe recipe = load("url = \"https://a/alpine\"\n");
    CHECK(recipe.repositories.at(0).mirrors.empty());
    CHECK_FALSE(recipe.repositories.at(0).max_index_size);
  }

  TEST_CASE("bad mirror lists and ceilings are refused at their place")
  {
    CHECK(refusal("url = \"https://a\"\nurls = [\"https://b\"]\n") ==
          "a repository has url or urls, not both @ 10:8");
    CHECK(refusal("urls = []\n") == "'urls' is empty @ 9:8");
    CHECK(refusal("urls = [\"https://a\", \"ftp://b\"]\n") ==
          "bad repository url 'ftp://b' @ 9:22");
    CHECK(refusal("urls = [\"https://a\", \"host-apt\"]\n") ==
          "bad repository url 'host-apt' @ 9:22");
    CHECK(refusal("urls = [\"https://a\", \"https://b\", \"https://b\"]\n") ==
          "mirror 'https://b' is listed twice @ 9:35");
    CHECK(refusal("url = \"https://a\"\nmax_index_size = 0\n") ==
          "'max_index_size' is zero @ 10:18");
    CHECK(refusal("url = \"https://a\"\nmax_index_size = \"lots\"\n").starts_with(
        "bad size 'lots' for 'repositories.max_index_size'"));
    CHECK(refusal("").find("url") != std::string::npos);
  }
}
