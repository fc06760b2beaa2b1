// OCI inspection of hand-made layouts: a consistent one passes; a damaged oci-layout is
// refused; JSON of the wrong shape is reported, never an exception other than Error.
#include <doctest/doctest.h>

#include <filesystem>

#include "emit/oci/oci_inspect.hpp"
#include "tar_builder.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

using compose::Error;
using compose::sha256_hex;
using compose::testing::file_item;
using compose::testing::tar_item;
namespace fs = std::filesystem;

namespace {

struct Layout {
  std::string oci_layout = R"({"imageLayoutVersion": "1.0.0"})";
  std::string index;    // empty: one manifest naming `manifest`
  std::string manifest; // empty: config + one layer
};

std::string descriptor(const std::string& bytes)
{
  return R"({"digest": "sha256:)" + sha256_hex(bytes) + R"(", "size": )" +
         std::to_string(bytes.size()) + "}";
}

// Writes the layout as an .oci.tar into `directory` and returns its path.
fs::path write_layout(const fs::path& directory, Layout layout)
{
  const std::string layer_tar =
      tar_item(file_item("etc/hostname", "box\n")) + compose::testing::tar_end(0, 512);
  const std::string config = R"({"architecture": "amd64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": ["sha256:)" +
                             sha256_hex(layer_tar) + R"("]}})";
  if (layout.manifest.empty())
    layout.manifest = R"({"schemaVersion": 2, "config": )" + descriptor(config) +
                      R"(, "layers": [)" + descriptor(layer_tar) + "]}";
  if (layout.index.empty())
    layout.index = R"({"schemaVersion": 2, "manifests": [)" + descriptor(layout.manifest) + "]}";
  std::string tar = tar_item(file_item("oci-layout", layout.oci_layout)) +
                    tar_item(file_item("index.json", layout.index));
  for (const std::string* blob : {&config, &layer_tar, static_cast<const std::string*>(&layout.manifest)})
    tar += tar_item(file_item("blobs/sha256/" + sha256_hex(*blob), *blob));
  tar += compose::testing::tar_end(tar.size());
  const fs::path file = directory / "image.oci.tar";
  compose::write_file_atomic(file, tar);
  return file;
}

} // namespace

TEST_SUITE("emit::oci_inspect")
{
  TEST_CASE("a consistent layout passes and lists its layer")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-oci-");
    const compose::emit::oci::OciReport report =
        compose::emit::oci::inspect_oci_archive(write_layout(directory.path(), {}));
    CHECK(report.problems.empty());
    CHECK(report.platform == "linux/amd64");
    REQUIRE(report.entries.size() == 1);
    CHECK(report.entries[0] == "-rw-r--r-- 0/0 4 etc/hostname");
  }

  TEST_CASE("an oci-layout that is not JSON with an imageLayoutVersion is refused")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-oci-");
    for (const std::string& bad : {std::string(30, '\0'), std::string("{}"),
                                   std::string(R"({"imageLayoutVersion": 1})"), std::string("[]")}) {
      Layout layout;
      layout.oci_layout = bad;
      CHECK_THROWS_WITH_AS(compose::emit::oci::inspect_oci_archive(write_layout(directory.path(), layout)),
                           doctest::Contains("oci-layout is not a JSON object with an imageLayoutVersion"),
                           Error);
    }
    Layout future;
    future.oci_layout = R"({"imageLayoutVersion": "2.0.0"})";
    CHECK_THROWS_WITH_AS(compose::emit::oci::inspect_oci_archive(write_layout(directory.path(), future)),
                         doctest::Contains("inspect reads version 1 layouts"), Error);
  }

  TEST_CASE("JSON of the wrong shape is a problem or an Error, and deep nesting is refused")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-oci-");
    auto inspect = [&](Layout layout) {
      return compose::emit::oci::inspect_oci_archive(write_layout(directory.path(), std::move(layout)));
    };
    Layout index_object;
    index_object.index = R"({"manifests": {"digest": 1}})";
    CHECK_THROWS_WITH_AS(inspect(index_object), doctest::Contains("not an image index"), Error);
    Layout index_array;
    index_array.index = R"([1, 2])";
    CHECK_THROWS_WITH_AS(inspect(index_array), doctest::Contains("not an image index"), Error);
    Layout odd_descriptor;
    odd_descriptor.index = R"({"manifests": [{"digest": 7, "size": "x", "annotations": [1]}]})";
    CHECK_FALSE(inspect(odd_descriptor).problems.empty());
    Layout odd_manifest;
    odd_manifest.manifest = R"({"config": [], "layers": {"a": 1}})";
    CHECK_FALSE(inspect(odd_manifest).problems.empty());
    Layout deep;
    deep.index = std::string(100000, '[') + std::string(100000, ']');
    CHECK_THROWS_WITH_AS(inspect(deep), doctest::Contains("JSON nested deeper than 64 levels"), Error);
  }
}
