// LayerCompressor: gzip members of fixed 1 MiB blocks that inflate back to the input, the
// same bytes whatever the thread count, hashes of both sides; zstd still there.
#include <doctest/doctest.h>

#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "emit/oci/layer_compressor.hpp"
#include "util/files.hpp"
#include "util/gzip_members.hpp"
#include "util/hash.hpp"

using namespace compose;
using namespace compose::emit::oci;

namespace {

// Compressible but not trivially so: words from a small vocabulary, seeded.
std::string sample_input(std::size_t size)
{
  static const char* const words[] = {"usr", "lib", "x86_64-linux-gnu", "share", "doc",
                                      "\x7f" "ELF", "copyright", "\0\0\0\0", "bin", "etc"};
  std::mt19937 random(17);
  std::string out;
  while (out.size() < size) {
    out += words[random() % 10];
    if (random() % 7 == 0)
      out += static_cast<char>(random() & 0xff);
  }
  out.resize(size);
  return out;
}

struct Compressed {
  CompressedLayer layer;
  std::string blob;
};

// Feeds the input in uneven pieces, as the tar writer does.
Compressed compress(Compression compression, const std::string& input, unsigned threads,
                    const std::filesystem::path& block_cache = {})
{
  const TempPath dir = make_temp_directory("layer-compressor-");
  const auto blob = dir.path() / "blob";
  LayerCompressor compressor(compression, blob, threads, block_cache);
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t take = std::min<std::size_t>(input.size() - at, 10240 + at % 777);
    compressor.write(std::string_view(input).substr(at, take));
    at += take;
  }
  Compressed out{compressor.finish(), {}};
  out.blob = read_file(blob);
  return out;
}

std::vector<GzipMember> members(const std::string& blob)
{
  std::vector<GzipMember> out;
  for (std::size_t at = 0; at < blob.size(); at += out.back().size)
    out.push_back(inflate_member(blob, at, "layer"));
  return out;
}

} // namespace

TEST_SUITE("emit::oci::LayerCompressor")
{
  TEST_CASE("gzip: one member per 1 MiB block, inflating back to the input")
  {
    const std::string input = sample_input((5 << 20) + 12345);
    const Compressed out = compress(Compression::gzip, input, 2);
    const std::vector<GzipMember> parts = members(out.blob);
    REQUIRE(parts.size() == 6);
    std::string inflated;
    for (const GzipMember& part : parts) {
      // The header every member carries: no name, mtime 0, OS unknown.
      CHECK(out.blob.substr(part.offset, 10) ==
            std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
      inflated += part.inflated;
    }
    CHECK(parts.front().inflated.size() == (1u << 20));
    CHECK(inflated == input);
    CHECK(out.blob.size() < input.size() / 2);
    CHECK(out.layer.diff_id == sha256_hex(input));
    CHECK(out.layer.digest == sha256_hex(out.blob));
    CHECK(out.layer.size == out.blob.size());
    CHECK(out.layer.uncompressed_size == input.size());
  }

  TEST_CASE("gzip: the bytes do not depend on the thread count")
  {
    const std::string input = sample_input((3 << 20) + 1);
    const std::string one = compress(Compression::gzip, input, 1).blob;
    CHECK(compress(Compression::gzip, input, 2).blob == one);
    CHECK(compress(Compression::gzip, input, 3).blob == one);
  }

  TEST_CASE("gzip: an exact multiple of the block size ends without an empty member; "
            "empty input is one empty member")
  {
    CHECK(members(compress(Compression::gzip, sample_input(2 << 20), 2).blob).size() == 2);
    const Compressed empty = compress(Compression::gzip, "", 2);
    const std::vector<GzipMember> parts = members(empty.blob);
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].inflated.empty());
    CHECK(empty.layer.diff_id == sha256_hex(""));
  }

  TEST_CASE("zstd: one frame that decompresses to the input")
  {
    const std::string input = sample_input(3 << 20);
    const Compressed out = compress(Compression::zstd, input, 2);
    std::string back(input.size(), '\0');
    const std::size_t got = ZSTD_decompress(back.data(), back.size(), out.blob.data(), out.blob.size());
    REQUIRE_FALSE(ZSTD_isError(got));
    CHECK(got == input.size());
    CHECK(back == input);
    CHECK(out.layer.diff_id == sha256_hex(input));
  }

  TEST_CASE("gzip with a block cache: the same bytes, members reused, damaged entries replaced")
  {
    const TempPath cache = make_temp_directory("gzip-blocks-");
    const std::string input = sample_input((3 << 20) + 999);
    const std::string plain = compress(Compression::gzip, input, 2).blob;

    const Compressed cold = compress(Compression::gzip, input, 2, cache.path());
    CHECK(cold.blob == plain);
    CHECK(cold.layer.members == 4);
    CHECK(cold.layer.reuse.stored == 4);
    CHECK(cold.layer.reuse.reused == 0);

    const Compressed warm = compress(Compression::gzip, input, 1, cache.path());
    CHECK(warm.blob == plain);
    CHECK(warm.layer.reuse.reused == 4);
    CHECK(warm.layer.reuse.stored == 0);

    // Damage every kind of way: a flipped byte, a truncation, another member's bytes with a
    // matching digest (the trailer must name this block), an empty file.
    std::vector<std::filesystem::path> entries;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(cache.path()))
      if (entry.is_regular_file())
        entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    REQUIRE(entries.size() == 4);
    std::string flipped = read_file(entries[0]);
    flipped[flipped.size() / 2] ^= 1;
    write_file_atomic(entries[0], flipped);
    const std::string whole = read_file(entries[1]);
    write_file_atomic(entries[1], whole.substr(0, whole.size() - 40));
    const std::string other = read_file(entries[3]);
    write_file_atomic(entries[2], other);
    write_file_atomic(entries[3], "");
    const Compressed repaired = compress(Compression::gzip, input, 2, cache.path());
    CHECK(repaired.blob == plain);
    CHECK(repaired.layer.reuse.damaged == 4);
    CHECK(repaired.layer.reuse.stored == 4);
    const Compressed again = compress(Compression::gzip, input, 2, cache.path());
    CHECK(again.blob == plain);
    CHECK(again.layer.reuse.reused == 4);
  }

  TEST_CASE("gzip with a block cache that cannot be written: the same bytes")
  {
    const TempPath dir = make_temp_directory("gzip-blocks-");
    write_file_atomic(dir.path() / "file", "not a directory");
    const std::string input = sample_input(1 << 20);
    const Compressed out = compress(Compression::gzip, input, 2, dir.path() / "file" / "cache");
    CHECK(out.blob == compress(Compression::gzip, input, 2).blob);
    CHECK(out.layer.reuse.stored == 0);
  }

  TEST_CASE("gzip_member_describes checks the magic and the trailer against the block")
  {
    const std::string block = sample_input(1000);
    const std::string member = compress(Compression::gzip, block, 1).blob;
    CHECK(gzip_member_describes(member, block));
    CHECK_FALSE(gzip_member_describes(member, block.substr(1)));
    CHECK_FALSE(gzip_member_describes(member.substr(1), block));
    CHECK_FALSE(gzip_member_describes("", block));
  }

  TEST_CASE("the engine is named with its version, level and block size")
  {
    CHECK(compression_engine(Compression::gzip).starts_with("libdeflate 1."));
    CHECK(compression_engine(Compression::gzip).ends_with(", level 6, 1 MiB members"));
    CHECK(compression_engine(Compression::zstd).starts_with("zstd 1."));
  }
}
