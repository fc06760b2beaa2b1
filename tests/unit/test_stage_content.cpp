// Content in memory and by reference: the same bytes through read, stream and read_at, and
// references read from several threads at once.
#include <doctest/doctest.h>

#include <fcntl.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "stage/content.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

using compose::stage::Content;
using compose::stage::ContentFile;

namespace {

// 3 MiB + 5 bytes of a pattern that differs at every offset modulo 251.
std::string pattern(std::size_t size)
{
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    bytes[i] = static_cast<char>(i % 251);
  return bytes;
}

std::shared_ptr<const ContentFile> file_with(const std::filesystem::path& path,
                                             const std::string& bytes)
{
  std::ofstream(path, std::ios::binary) << bytes;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  return std::make_shared<const ContentFile>(fd, path.string());
}

std::string streamed(const Content& content, std::vector<std::size_t>* pieces = nullptr)
{
  std::string out;
  content.stream([&](std::string_view piece) {
    if (pieces)
      pieces->push_back(piece.size());
    out += piece;
  });
  return out;
}

} // namespace

TEST_SUITE("stage::Content")
{
  TEST_CASE("a reference gives the same bytes, pieces and digest as memory")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-content-");
    const std::string bytes = pattern((std::size_t{3} << 20) + 5);
    const std::string prefix = "HEADER", suffix = "TRAILER";
    const auto file = file_with(directory.path() / "data", prefix + bytes + suffix);

    const Content memory(bytes);
    const Content reference(file, prefix.size(), bytes.size());
    CHECK(reference.is_reference());
    CHECK_FALSE(memory.is_reference());
    CHECK(reference.size() == bytes.size());
    CHECK(reference.read() == bytes);
    std::vector<std::size_t> memory_pieces, reference_pieces;
    CHECK(streamed(memory, &memory_pieces) == bytes);
    CHECK(streamed(reference, &reference_pieces) == bytes);
    CHECK(memory_pieces == reference_pieces);
    CHECK(reference_pieces == std::vector<std::size_t>{Content::k_chunk, Content::k_chunk,
                                                       Content::k_chunk, 5});
    CHECK(reference.sha256() == compose::sha256_hex(bytes));
    CHECK(memory.sha256() == reference.sha256());

    std::string middle(10, '\0');
    reference.read_at(Content::k_chunk - 3, middle.data(), middle.size());
    CHECK(middle == bytes.substr(Content::k_chunk - 3, 10));
    CHECK_THROWS_AS(reference.read_at(bytes.size() - 2, middle.data(), 3), compose::Error);
  }

  TEST_CASE("empty content streams nothing")
  {
    std::size_t calls = 0;
    Content().stream([&](std::string_view) { ++calls; });
    Content(std::string()).stream([&](std::string_view) { ++calls; });
    CHECK(calls == 0);
    CHECK(Content().sha256() == compose::sha256_hex(""));
  }

  TEST_CASE("references are read concurrently without a shared file position")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-content-");
    const std::string bytes = pattern(std::size_t{5} << 20);
    const auto file = file_with(directory.path() / "data", bytes);
    std::vector<Content> parts;
    for (std::size_t at = 0; at < bytes.size(); at += 700001)
      parts.emplace_back(file, at, std::min<std::size_t>(700001, bytes.size() - at));
    std::vector<int> good(4, 0);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < good.size(); ++t)
      threads.emplace_back([&, t] {
        int ok = 1;
        for (int round = 0; round < 3; ++round)
          for (std::size_t i = 0; i < parts.size(); ++i) {
            const std::size_t index = (i + t) % parts.size();
            ok &= streamed(parts[index]) == bytes.substr(index * 700001, parts[index].size());
          }
        good[t] = ok;
      });
    for (std::thread& thread : threads)
      thread.join();
    CHECK(good == std::vector<int>(4, 1));
  }

  TEST_CASE("a file truncated under a reference is an error, not short content")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-content-");
    const auto file = file_with(directory.path() / "data", pattern(10000));
    const Content reference(file, 5000, 5000);
    std::filesystem::resize_file(directory.path() / "data", 7000);
    CHECK_THROWS_WITH_AS(reference.read(), doctest::Contains("file ends at byte 7000"), compose::Error);
  }
}
