// ext4 geometry: feature names, zero-block runs, content measurement and image sizing.
#include <doctest/doctest.h>

#include <algorithm>

#include "emit/ext4/ext4_geometry.hpp"
#include "util/error.hpp"

using compose::Error;
using namespace compose::emit::ext4;

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name)
{
  return std::find(names.begin(), names.end(), name) != names.end();
}

} // namespace

TEST_SUITE("emit::ext4_geometry")
{
  TEST_CASE("features: defaults, turning off and on, spellings")
  {
    const FeatureSet defaults = resolve_features({}, "recipe.toml:3:1");
    for (const char* name : {"has_journal", "extent", "64bit", "metadata_csum", "dir_index",
                             "flex_bg", "sparse_super", "huge_file", "extra_isize"})
      CHECK_MESSAGE(defaults.has(name), name);
    CHECK_FALSE(defaults.has("metadata_csum_seed"));

    const FeatureSet changed =
        resolve_features({"^has_journal", "metadata_csum_seed", "extents"}, "here");
    CHECK_FALSE(changed.has("has_journal"));
    CHECK(changed.has("metadata_csum_seed"));
    CHECK(changed.has("extent"));

    const std::vector<std::string> names = feature_names(defaults);
    CHECK(contains(names, "has_journal"));
    CHECK(std::is_sorted(names.begin(), names.end()));
    CHECK(contains(feature_names(FeatureSet{0, 0x20000, 0}), "incompat:0x20000"));
  }

  TEST_CASE("features: bad names and combinations")
  {
    struct Case {
      std::vector<std::string> names;
      const char* message;
    };
    const std::vector<Case> cases{
        {{"inline_data"}, "unknown ext4 feature 'inline_data'"},
        {{"^"}, "unknown ext4 feature '^'"},
        {{"^extent"}, "ext4 feature 64bit needs extent"},
    };
    for (const Case& test : cases) {
      SUBCASE(test.message)
      {
        CHECK_THROWS_WITH_AS(resolve_features(test.names, "recipe.toml:9:5"),
                             doctest::Contains(test.message), Error);
      }
    }
    try {
      resolve_features({"quota"}, "recipe.toml:9:5");
      FAIL("no error");
    } catch (const Error& error) {
      CHECK(error.where() == "recipe.toml:9:5");
      CHECK(error.hint().find(supported_features()) != std::string::npos);
    }
  }

  TEST_CASE("data runs leave all-zero blocks out")
  {
    CHECK(data_runs("").empty());
    CHECK(data_runs(std::string(10000, '\0')).empty());
    const std::string content =
        std::string(4096, 'a') + std::string(8192, '\0') + std::string(4096, 'b') + "tail";
    const std::vector<DataRun> runs = data_runs(content);
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].first == 0);
    CHECK(runs[0].count == 1);
    CHECK(runs[1].first == 3);
    CHECK(runs[1].count == 2); // the block with 'b' and the partial block with "tail"
    // A zero byte at the end of a block does not make it a hole.
    CHECK(data_runs(std::string(4095, '\0') + "x").size() == 1);
  }

  TEST_CASE("content is measured in blocks and inodes")
  {
    compose::stage::Tree tree;
    tree.add_file("big", std::string(10 * 4096, 'x'));
    tree.add_file("sparse", std::string(4096, 'x') + std::string(1 << 20, '\0'));
    tree.add_symlink("slow", std::string(100, 's'));
    tree.add_symlink("fast", "x");
    tree.add_hardlink("big-again", "big");
    const ContentNeeds needs = measure_content(tree, resolve_features({}, ""));
    // Reserved inodes 1-11 (lost+found), then 4 inodes: the hard link shares one.
    CHECK(needs.inodes == 11 + 4);
    // lost+found 4, root directory 1, files 10 + 1, slow symlink 1.
    CHECK(needs.blocks == 4 + 1 + 11 + 1);
  }

  TEST_CASE("sizing: content plus headroom in MiB, or a fixed size that must fit")
  {
    const FeatureSet features = resolve_features({}, "");
    ContentNeeds needs; // about 98 MiB
    needs.blocks = 25000;
    needs.inodes = 5000;
    compose::recipe::Ext4Spec spec;
    spec.headroom_bytes = 64ull << 20;
    spec.headroom_percent = 20;
    const Geometry automatic = plan_geometry(needs, spec, features);
    CHECK(automatic.blocks % 256 == 0);
    CHECK(automatic.blocks * 4096 >= (25000ull * 4096) * 120 / 100 + (64ull << 20));
    CHECK(automatic.inodes >= 5000 + 1000);
    CHECK(automatic.journal_blocks == 4096);

    spec.headroom_bytes = 0;
    spec.headroom_percent = 0;
    const Geometry tight = plan_geometry(needs, spec, features);
    CHECK(tight.blocks < automatic.blocks);
    CHECK(tight.blocks > needs.blocks);

    spec.size_bytes = 1ull << 30;
    const Geometry fixed = plan_geometry(needs, spec, features);
    CHECK(fixed.blocks == (1ull << 30) / 4096);
    CHECK(fixed.inodes == (1ull << 30) / 16384); // mke2fs's one inode per 16 KiB

    spec.size_bytes = 64ull << 20;
    spec.where = {"recipe.toml", 20, 7};
    try {
      plan_geometry(needs, spec, features);
      FAIL("no error");
    } catch (const Error& error) {
      CHECK(error.message().starts_with("image size 64M is too small for 98M of content (need "
                                        "at least "));
      CHECK(error.where() == "recipe.toml:20:7");
    }
  }

  TEST_CASE("sizes print in the largest exact unit")
  {
    CHECK(format_size(8ull << 20) == "8M");
    CHECK(format_size(2ull << 30) == "2G");
    CHECK(format_size(4097) == "4097");
    CHECK(format_size(0) == "0");
  }
}
