// --mirror FROM=TO and url = "host-apt": parsing, the host's apt mirror from generated
// /etc/apt trees (deb822 and one-line styles), what apply_mirrors resolves and what the
// fetcher's rewrite does.
#include <doctest/doctest.h>

#include <fstream>

#include "fetch/fetch.hpp"
#include "pipeline/mirrors.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;
using compose::Error;

namespace {

void write_text(const fs::path& path, const std::string& text)
{
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

compose::recipe::Recipe recipe_with(std::vector<std::string> repository_urls,
                                    std::vector<std::string> file_urls)
{
  compose::recipe::Recipe recipe;
  for (std::string& url : repository_urls) {
    compose::recipe::RepositorySpec repository;
    repository.url = std::move(url);
    recipe.repositories.push_back(std::move(repository));
  }
  for (std::string& url : file_urls) {
    compose::recipe::FileSpec file;
    file.kind = compose::recipe::FileSpec::Kind::url;
    file.url = std::move(url);
    recipe.overlays.files.push_back(std::move(file));
  }
  return recipe;
}

} // namespace

TEST_SUITE("pipeline_mirrors")
{
  TEST_CASE("FROM=TO")
  {
    CHECK(compose::pipeline::parse_mirror("https://a/alpine=file:///srv/alpine") ==
          std::pair<std::string, std::string>{"https://a/alpine", "file:///srv/alpine"});
    // Only the first '=' splits: query strings survive on the right.
    CHECK(compose::pipeline::parse_mirror("https://a=https://b/?x=1").second == "https://b/?x=1");
    for (const char* bad : {"", "https://a", "=https://b", "https://a="}) {
      CAPTURE(bad);
      CHECK_THROWS_WITH_AS(compose::pipeline::parse_mirror(bad),
                           doctest::Contains("--mirror wants FROM=TO"), compose::UsageError);
    }
  }

  TEST_CASE("the host's apt mirror")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-apt-");
    const fs::path etc_apt = directory.path() / "apt";

    SUBCASE("deb822: the first stanza of type deb; deb-src and cdrom are skipped")
    {
      write_text(etc_apt / "sources.list.d/debian.sources",
                 "Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n\n"
                 "Types: deb\nURIs: cdrom:[Debian 12]/ http://deb.example/debian\n"
                 "Suites: bookworm\nComponents: main\n");
      CHECK(compose::pipeline::host_apt_uri(etc_apt) == "http://deb.example/debian");
    }
    SUBCASE("one-line style with options; sources.list is read before sources.list.d")
    {
      write_text(etc_apt / "sources.list",
                 "# comment\ndeb-src http://src.example/debian bookworm main\n"
                 "deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] "
                 "https://list.example/debian bookworm main\n");
      write_text(etc_apt / "sources.list.d/a.sources",
                 "Types: deb\nURIs: http://later.example/debian\n");
      CHECK(compose::pipeline::host_apt_uri(etc_apt) == "https://list.example/debian");
    }
    SUBCASE("the source that serves the suites: a third-party list sorted first, the security pocket")
    {
      write_text(etc_apt / "sources.list.d/brave.list",
                 "deb [signed-by=/k.gpg] https://brave.example/apt stable main\n");
      write_text(etc_apt / "sources.list.d/debian.sources",
                 "Types: deb\nURIs: http://deb.example/debian\nSuites: bookworm bookworm-updates\n"
                 "Components: main\n\n"
                 "Types: deb\nURIs: http://deb.example/debian-security\n"
                 "Suites: bookworm-security\nComponents: main\n");
      using compose::pipeline::host_apt_uri;
      CHECK(host_apt_uri(etc_apt, {"bookworm"}) == "http://deb.example/debian");
      CHECK(host_apt_uri(etc_apt, {"bookworm", "bookworm-updates"}) == "http://deb.example/debian");
      CHECK(host_apt_uri(etc_apt, {"bookworm-security"}) == "http://deb.example/debian-security");
      // No source serves them all: the first source, whose Release will say.
      CHECK(host_apt_uri(etc_apt, {"bookworm", "bookworm-security"}) == "https://brave.example/apt");
      CHECK(host_apt_uri(etc_apt) == "https://brave.example/apt");

      compose::recipe::Recipe recipe = recipe_with({"host-apt", "host-apt"}, {});
      recipe.repositories[0].suites = {"bookworm", "bookworm-updates"};
      recipe.repositories[1].suites = {"bookworm-security"};
      const auto rewrites = compose::pipeline::apply_mirrors(
          recipe, {{"host-apt", "file:///srv/debian"}}, etc_apt);
      CHECK(recipe.repositories[0].url == "http://deb.example/debian");
      CHECK(recipe.repositories[1].url == "http://deb.example/debian-security");
      // Both of the host's URIs go to the one local copy.
      CHECK(rewrites == std::vector<std::pair<std::string, std::string>>{
                            {"http://deb.example/debian", "file:///srv/debian"},
                            {"http://deb.example/debian-security", "file:///srv/debian"}});
    }
    SUBCASE("no usable source is an error naming the directory")
    {
      write_text(etc_apt / "sources.list", "deb cdrom:[Debian]/ bookworm main\n");
      CHECK_THROWS_WITH_AS(compose::pipeline::host_apt_uri(etc_apt),
                           doctest::Contains("names no Debian mirror"), Error);
    }
  }

  TEST_CASE("apply_mirrors: host-apt resolved, the recipe keeps its public URLs")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-apt-");
    const fs::path etc_apt = directory.path() / "apt";
    write_text(etc_apt / "sources.list", "deb http://deb.example/debian bookworm main\n");
    compose::recipe::Recipe recipe =
        recipe_with({"https://dl-cdn.example/alpine", "host-apt"},
                    {"https://github.example/releases/v1/tool"});
    const auto rewrites = compose::pipeline::apply_mirrors(
        recipe,
        {{"https://dl-cdn.example/alpine", "file:///srv/alpine"},
         {"https://github.example/releases", "http://127.0.0.1:8080/releases"}},
        etc_apt);
    CHECK(recipe.repositories[0].url == "https://dl-cdn.example/alpine");
    CHECK(recipe.repositories[1].url == "http://deb.example/debian");
    CHECK(recipe.overlays.files[0].url == "https://github.example/releases/v1/tool");
    CHECK(rewrites.size() == 2);

    // The fetcher sends transfers to the copy; the longest FROM wins.
    const std::vector<std::pair<std::string, std::string>> nested = {
        {"https://dl-cdn.example", "file:///srv/cdn"},
        {"https://dl-cdn.example/alpine", "file:///srv/alpine"}};
    CHECK(compose::fetch::mirrored_url("https://dl-cdn.example/alpine/v3.22/main", nested) ==
          "file:///srv/alpine/v3.22/main");
    CHECK(compose::fetch::mirrored_url("https://dl-cdn.example/other", nested) ==
          "file:///srv/cdn/other");
    CHECK(compose::fetch::mirrored_url("https://elsewhere.example/x", nested) ==
          "https://elsewhere.example/x");
    // Whole path parts only.
    CHECK(compose::fetch::mirrored_url("https://dl-cdn.example/alpine-edge/x", nested) ==
          "file:///srv/cdn/alpine-edge/x");
    CHECK(compose::fetch::mirrored_url("https://dl-cdn.example.org/x", nested) ==
          "https://dl-cdn.example.org/x");

    // A mirror for "host-apt": the image still names the host's mirror, transfers go to
    // the copy.
    compose::recipe::Recipe local = recipe_with({"host-apt"}, {});
    const auto local_rewrites = compose::pipeline::apply_mirrors(
        local, {{"host-apt", "file:///srv/debian"}}, etc_apt);
    CHECK(local.repositories[0].url == "http://deb.example/debian");
    REQUIRE(local_rewrites.size() == 1);
    CHECK(local_rewrites[0] ==
          std::pair<std::string, std::string>{"http://deb.example/debian", "file:///srv/debian"});

    // Without apt configuration, the copy is all there is.
    compose::recipe::Recipe bare = recipe_with({"host-apt"}, {});
    CHECK(compose::pipeline::apply_mirrors(bare, {{"host-apt", "file:///srv/debian"}},
                                           directory.path() / "no-apt")
              .empty());
    CHECK(bare.repositories[0].url == "file:///srv/debian");
  }
}
