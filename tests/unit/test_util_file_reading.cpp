// sha256_file_hex: the digest of what the file reads as, holes included, without reading them;
// read_file: the whole file in one read.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

using namespace compose;

namespace {

// A file of `size` bytes, holes everywhere but at the given (offset, bytes) places.
std::string sparse_file(const std::filesystem::path& path, off_t size,
                        const std::vector<std::pair<off_t, std::string>>& data)
{
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  REQUIRE(fd >= 0);
  REQUIRE(::ftruncate(fd, size) == 0);
  std::string expected(static_cast<std::size_t>(size), '\0');
  for (const auto& [offset, bytes] : data) {
    REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), offset) == static_cast<ssize_t>(bytes.size()));
    expected.replace(static_cast<std::size_t>(offset), bytes.size(), bytes);
  }
  ::close(fd);
  return expected;
}

} // namespace

TEST_SUITE("util::sha256_file_hex")
{
  TEST_CASE("sparse files hash as the bytes they read as")
  {
    const TempPath dir = make_temp_directory("hash-file-");
    const auto path = dir.path() / "image";
    const std::string data(70000, 'x');
    for (const auto& layout : std::vector<std::vector<std::pair<off_t, std::string>>>{
             {},                                     // all hole
             {{0, data}},                            // data, then a hole to the end
             {{(5 << 20) + 3, data}},                // a hole, data, a hole
             {{(8 << 20) - 70000, data}},            // a hole, then data to the end
             {{4096, "a"}, {3 << 20, data}, {(6 << 20) + 1, "zz"}}}) {
      const std::string expected = sparse_file(path, 8 << 20, layout);
      CHECK(sha256_file_hex(path) == sha256_hex(expected));
    }
    write_file_atomic(path, "plain");
    CHECK(sha256_file_hex(path) == sha256_hex("plain"));
    write_file_atomic(path, "");
    CHECK(sha256_file_hex(path) == sha256_hex(""));
    CHECK_THROWS_AS(sha256_file_hex(dir.path() / "missing"), Error);
  }
}

TEST_SUITE("util::read_file")
{
  TEST_CASE("whole files of any size, files whose size stat does not know, and errors")
  {
    const TempPath dir = make_temp_directory("read-file-");
    const auto path = dir.path() / "file";
    for (const std::size_t size : {0u, 1u, 65535u, 65536u, 65537u, 3u << 20}) {
      std::string bytes(size, '\0');
      for (std::size_t i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(i * 7);
      write_file_atomic(path, bytes);
      CHECK(read_file(path) == bytes);
    }
    // /proc files report size 0 and still have contents.
    CHECK(read_file("/proc/self/status").find("Name:") != std::string::npos);
    CHECK_THROWS_AS(read_file(dir.path() / "missing"), Error);
    CHECK_THROWS_AS(read_file(dir.path()), Error); // a directory
  }
}
