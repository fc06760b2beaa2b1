// decompress(): a stream of the named compression only; compressed empty files (Ubuntu's
// empty pockets serve them) give empty text; anything else is an error naming the place.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "deb_builder.hpp"

#include "util/decompress.hpp"
#include "util/error.hpp"

namespace {

std::string bytes(std::initializer_list<unsigned char> list)
{
  return std::string(list.begin(), list.end());
}

// `xz`, `gzip -n` and `zstd` of nothing, and `xz` of "hello\n".
const std::string k_empty_xz =
    bytes({0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46, 0x00, 0x00, 0x00, 0x00,
           0x1c, 0xdf, 0x44, 0x21, 0x1f, 0xb6, 0xf3, 0x7d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 0x59, 0x5a});
const std::string k_empty_gz = bytes({0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
                                      0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});
const std::string k_empty_zst =
    bytes({0x28, 0xb5, 0x2f, 0xfd, 0x24, 0x00, 0x01, 0x00, 0x00, 0x99, 0xe9, 0xd8, 0x51});
const std::string k_hello_xz =
    bytes({0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04, 0xe6, 0xd6, 0xb4, 0x46, 0x02, 0x00, 0x21, 0x01,
           0x16, 0x00, 0x00, 0x00, 0x74, 0x2f, 0xe5, 0xa3, 0x01, 0x00, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f,
           0x0a, 0x00, 0x00, 0x00, 0xa5, 0x60, 0x97, 0xf1, 0x94, 0xf6, 0xfd, 0xe0, 0x00, 0x01, 0x1e, 0x06,
           0xc1, 0x2f, 0xa4, 0x1d, 0x1f, 0xb6, 0xf3, 0x7d, 0x01, 0x00, 0x00, 0x00, 0x00, 0x04, 0x59, 0x5a});

} // namespace

TEST_SUITE("util_decompress")
{
  TEST_CASE("streams of the named compression")
  {
    CHECK(compose::decompress(k_hello_xz, "xz", "hello.xz") == "hello\n");
    CHECK(compose::decompress(k_empty_xz, "xz", "Packages.xz").empty());
    CHECK(compose::decompress(k_empty_gz, "gz", "Packages.gz").empty());
    CHECK(compose::decompress(k_empty_zst, "zst", "Packages.zst").empty());
    CHECK(compose::decompress("plain", "", "Packages") == "plain");
  }

  TEST_CASE("anything else is an error at the file")
  {
    struct Case {
      std::string data;
      const char* compression;
      const char* message;
    };
    const Case cases[] = {
        {"", "xz", "cannot decompress (xz): not a xz stream"},
        {"hello\n", "xz", "cannot decompress (xz): not a xz stream"},
        {k_empty_gz, "xz", "cannot decompress (xz): not a xz stream"},
        {k_hello_xz.substr(0, 40), "xz", "cannot decompress (xz)"},
        {k_empty_xz, "rar", "unknown compression 'rar'"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.message);
      try {
        compose::decompress(c.data, c.compression, "dists/x/Packages.xz");
        FAIL("accepted");
      } catch (const compose::Error& e) {
        CHECK_MESSAGE(std::string(e.what()).find(c.message) != std::string::npos, e.what());
        CHECK(e.where() == "dists/x/Packages.xz");
      }
    }
  }

  TEST_CASE("in parallel: the same pieces in order; either side's error stops both")
  {
    std::string text;
    for (int i = 0; text.size() < (std::size_t{3} << 20); ++i)
      text += "Package: p" + std::to_string(i) + "\nVersion: " + std::to_string(i * 7) + "\n\n";
    for (const auto compression :
         {compose::test::DebCompression::xz, compose::test::DebCompression::gz}) {
      const std::string packed = compose::test::deb_compress(text, compression);
      const std::string name = compose::test::deb_suffix(compression).substr(1);
      std::string out;
      std::size_t pieces = 0;
      compose::decompress_to_in_parallel(packed, name, "P", [&](std::string_view piece) {
        out += piece;
        ++pieces;
      });
      CHECK(out == text);
      CHECK(pieces > 4); // more than the queue holds

      std::size_t seen = 0;
      CHECK_THROWS_WITH_AS(compose::decompress_to_in_parallel(packed, name, "P",
                                                              [&](std::string_view) {
                                                                if (++seen == 3)
                                                                  throw std::runtime_error("enough");
                                                              }),
                           "enough", std::runtime_error);
      CHECK(seen == 3);

      // Cut off: every piece before the damage arrives, then the decompressor's error.
      std::string before;
      CHECK_THROWS_WITH_AS(compose::decompress_to_in_parallel(
                               packed.substr(0, packed.size() / 2), name, "P",
                               [&](std::string_view piece) { before += piece; }),
                           doctest::Contains("cannot decompress"), compose::Error);
      CHECK(before.size() > (std::size_t{1} << 18)); // more than one piece
      CHECK(text.starts_with(before));
    }
  }
}
