// LayerCompressor: gzip members of content-defined blocks that inflate back to the input, the
// same bytes whatever the thread count and however the input is split, blocks that an early
// insertion leaves alone, hashes of both sides; zstd still there.
#include <doctest/doctest.h>

#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>

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
                    const std::filesystem::path& block_cache = {}, std::size_t piece = 10240)
{
  const TempPath dir = make_temp_directory("layer-compressor-");
  const auto blob = dir.path() / "blob";
  LayerCompressor compressor(compression, blob, threads, block_cache);
  for (std::size_t at = 0; at < input.size();) {
    const std::size_t take = std::min<std::size_t>(input.size() - at, piece + at % 777);
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
  TEST_CASE("gzip: one member per block of 512 KiB to 4 MiB, inflating back to the input")
  {
    const std::string input = sample_input((5 << 20) + 12345);
    const Compressed out = compress(Compression::gzip, input, 2);
    const std::vector<GzipMember> parts = members(out.blob);
    REQUIRE(parts.size() >= 3);
    CHECK(parts.size() <= 10);
    CHECK(out.layer.members == parts.size());
    std::string inflated;
    for (const GzipMember& part : parts) {
      // The header every member carries: no name, mtime 0, OS unknown.
      CHECK(out.blob.substr(part.offset, 10) ==
            std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10));
      inflated += part.inflated;
    }
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      CHECK(parts[i].inflated.size() >= BlockCutter::k_min_block);
      CHECK(parts[i].inflated.size() <= BlockCutter::k_max_block);
    }
    CHECK(inflated == input);
    CHECK(out.blob.size() < input.size() / 2);
    CHECK(out.layer.diff_id == sha256_hex(input));
    CHECK(out.layer.digest == sha256_hex(out.blob));
    CHECK(out.layer.size == out.blob.size());
    CHECK(out.layer.uncompressed_size == input.size());
  }

  TEST_CASE("gzip: the bytes depend on neither the thread count nor how the input is split")
  {
    const std::string input = sample_input((3 << 20) + 1);
    const std::string one = compress(Compression::gzip, input, 1).blob;
    CHECK(compress(Compression::gzip, input, 2).blob == one);
    CHECK(compress(Compression::gzip, input, 3).blob == one);
    CHECK(compress(Compression::gzip, input, 2, {}, 1).blob == one);
    CHECK(compress(Compression::gzip, input, 2, {}, 100000).blob == one);
    CHECK(compress(Compression::gzip, input, 2, {}, 8 << 20).blob == one);
  }

  TEST_CASE("gzip: an insertion early in the stream changes only the blocks around it")
  {
    const std::string input = sample_input(12 << 20);
    // A 3 KB file added near the start, as an overlay under /etc would be.
    const std::string edited = input.substr(0, 100000) + std::string(3000, 'x') + input.substr(100000);
    const std::vector<GzipMember> before = members(compress(Compression::gzip, input, 2).blob);
    const std::vector<GzipMember> after = members(compress(Compression::gzip, edited, 2).blob);
    std::set<std::string> old_blocks;
    for (const GzipMember& part : before)
      old_blocks.insert(part.inflated);
    std::size_t same = 0;
    for (const GzipMember& part : after)
      same += old_blocks.contains(part.inflated);
    CAPTURE(before.size());
    CHECK(before.size() >= 6);
    CHECK(same + 2 >= after.size()); // at most the edited block and the next one differ
  }

  TEST_CASE("gzip: a block ends at 4 MiB at most; empty input is one empty member")
  {
    const std::string zeros((9 << 20) + 5, '\0');
    const std::vector<GzipMember> runs = members(compress(Compression::gzip, zeros, 2).blob);
    std::size_t total = 0;
    for (const GzipMember& part : runs) {
      CHECK(part.inflated.size() <= BlockCutter::k_max_block);
      total += part.inflated.size();
    }
    CHECK(total == zeros.size());
    CHECK(runs.size() >= 3);
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
    const std::string input = sample_input((5 << 20) + 999);
    const std::string plain = compress(Compression::gzip, input, 2).blob;

    const std::size_t count = members(plain).size();
    REQUIRE(count >= 4);
    const Compressed cold = compress(Compression::gzip, input, 2, cache.path());
    CHECK(cold.blob == plain);
    CHECK(cold.layer.members == count);
    CHECK(cold.layer.reuse.stored == count);
    CHECK(cold.layer.reuse.reused == 0);

    const Compressed warm = compress(Compression::gzip, input, 1, cache.path());
    CHECK(warm.blob == plain);
    CHECK(warm.layer.reuse.reused == count);
    CHECK(warm.layer.reuse.stored == 0);

    // Damage every kind of way: a flipped byte, a truncation, another member's bytes with a
    // matching digest (the trailer must name this block), an empty file.
    std::vector<std::filesystem::path> entries;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(cache.path()))
      if (entry.is_regular_file())
        entries.push_back(entry.path());
    std::sort(entries.begin(), entries.end());
    REQUIRE(entries.size() == count);
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
    CHECK(repaired.layer.reuse.reused == count - 4);
    const Compressed again = compress(Compression::gzip, input, 2, cache.path());
    CHECK(again.blob == plain);
    CHECK(again.layer.reuse.reused == count);
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
    CHECK(compression_engine(Compression::gzip).ends_with(
        ", level 6, content-defined members of 512 KiB to 4 MiB (gear hash, 19 bits)"));
    CHECK(compression_engine(Compression::zstd).starts_with("zstd 1."));
  }
}
