// Packages indexes with apt's compression fallback: a missing file gives way to the next
// one the Release lists; a wrong one does not.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/debian_index_fetch.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;
using namespace compose::pipeline;

namespace {

struct Mirror {
  compose::TempPath dir = compose::make_temp_directory("compose-index-fetch-");
  fs::path root = dir.path() / "mirror";
  Mirror() { fs::create_directories(root); }

  IndexCandidate candidate(const std::string& name, const std::string& bytes, bool present)
  {
    if (present)
      std::ofstream(root / name, std::ios::binary) << bytes;
    return {"main/binary-amd64/" + name, compose::sha256_hex(bytes), bytes.size(),
            {"file://" + (root / ("by-hash-" + name)).string(), "file://" + (root / name).string()}};
  }
  compose::fetch::Options options(bool offline = false) const
  {
    compose::fetch::Options o;
    o.cache_dir = dir.path() / "cache";
    o.offline = offline;
    o.retries = 0;
    return o;
  }
};

} // namespace

TEST_SUITE("pipeline::debian_index_fetch")
{
  TEST_CASE("a missing .xz falls back to .gz, then plain; the one used is named")
  {
    Mirror mirror;
    IndexChoice choice{"bookworm/main/binary-amd64/Packages", "bookworm",
                       {mirror.candidate("Packages.xz", "xz bytes", false),
                        mirror.candidate("Packages.gz", "gz bytes", false),
                        mirror.candidate("Packages", "plain bytes", true)}};
    compose::fetch::Fetcher fetcher(mirror.options());
    const std::vector<FetchedIndex> fetched = fetch_packages_indexes({choice}, fetcher);
    REQUIRE(fetched.size() == 1);
    CHECK(fetched[0].used == 2);
    CHECK(compose::read_file(fetched[0].file.path) == "plain bytes");
    REQUIRE(fetched[0].missing.size() == 2);
    CHECK(fetched[0].missing[0].starts_with("main/binary-amd64/Packages.xz ("));
    CHECK(fetched[0].missing[0].find("cannot open") != std::string::npos);
    CHECK(fetched[0].missing[1].starts_with("main/binary-amd64/Packages.gz ("));

    // Offline, the cached plain file is found the same way.
    compose::fetch::Fetcher offline(mirror.options(true));
    CHECK(fetch_packages_indexes({choice}, offline).at(0).used == 2);
  }

  TEST_CASE("the preferred file, when there, is used without a fallback")
  {
    Mirror mirror;
    IndexChoice choice{"bookworm/main/binary-amd64/Packages", "bookworm",
                       {mirror.candidate("Packages.xz", "xz bytes", true),
                        mirror.candidate("Packages.gz", "gz bytes", true)}};
    compose::fetch::Fetcher fetcher(mirror.options());
    const FetchedIndex fetched = fetch_packages_indexes({choice}, fetcher).at(0);
    CHECK(fetched.used == 0);
    CHECK(fetched.missing.empty());
  }

  TEST_CASE("a wrong file is fatal; no file at all names every URL")
  {
    Mirror mirror;
    IndexCandidate xz = mirror.candidate("Packages.xz", "xz bytes", false);
    std::ofstream(mirror.root / "Packages.xz", std::ios::binary) << "tampered";
    IndexChoice tampered{"bookworm/main/binary-amd64/Packages", "bookworm",
                         {xz, mirror.candidate("Packages.gz", "gz bytes", true)}};
    compose::fetch::Fetcher fetcher(mirror.options());
    CHECK_THROWS_WITH_AS(fetch_packages_indexes({tampered}, fetcher),
                         doctest::Contains("Packages.xz"), compose::Error);

    IndexChoice none{"bookworm/main/binary-amd64/Packages", "bookworm",
                     {mirror.candidate("Packages.bz", "a", false),
                      mirror.candidate("Packages.none", "b", false)}};
    try {
      fetch_packages_indexes({none}, fetcher);
      FAIL("fetched a file that is not there");
    } catch (const compose::Error& e) {
      CHECK(e.message().starts_with("no Packages file the Release lists for "
                                    "bookworm/main/binary-amd64/Packages is on the mirror"));
      CHECK(e.message().find((mirror.root / "Packages.none").string()) != std::string::npos);
      CHECK(e.message().find((mirror.root / "by-hash-Packages.bz").string()) != std::string::npos);
    }
  }

  TEST_CASE("only_missing reads the Fetcher's failure lines")
  {
    CHECK(only_missing(compose::Error("cannot fetch x:\n    http://m/a: HTTP 404 (after 1 attempt)"
                                      "\n    file:///m/b: cannot open /m/b (after 1 attempt)")));
    CHECK_FALSE(only_missing(compose::Error(
        "cannot fetch x:\n    http://m/a: HTTP 404 (after 1 attempt)\n    http://m/b: sha256 is 0, "
        "expected 1")));
    CHECK_FALSE(only_missing(compose::Error("cannot fetch x:\n    http://m/a: HTTP 503 (after 4 attempts)")));
    CHECK(only_missing(compose::Error("1 file(s) needed offline are not in the cache:\n    x")));
    CHECK_FALSE(only_missing(compose::Error("index signature does not verify")));
  }
}
