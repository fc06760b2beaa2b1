// The decoded-package cache: decoded once, read back on the next build, a damaged entry
// (flipped byte, truncation, bad record) rebuilt and never used, concurrent readers, and
// spill files when there is no cache.
#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "deb_builder.hpp"
#include "unpack/decoded_data.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using compose::unpack::DecodedCache;
using compose::unpack::DecodedData;
namespace fs = std::filesystem;
namespace test = compose::test;

namespace {

const std::string k_key(64, 'a');

std::string data_tar()
{
  return test::deb_data_tar({test::deb_dir("./"), test::deb_dir("./usr/"),
                             test::deb_file("./usr/hello", "hello world\n"),
                             test::deb_file("./usr/big", std::string(300000, 'x') + "end"),
                             test::deb_file("./usr/empty", "")});
}

// Decodes by handing out the tar in small pieces; counts how often it ran.
struct Decoder {
  std::string tar = data_tar();
  std::atomic<int> runs{0};
  compose::unpack::DataDecoder function()
  {
    return [this](const std::function<void(std::string_view)>& write) {
      ++runs;
      for (std::size_t at = 0; at < tar.size(); at += 4096)
        write(std::string_view(tar).substr(at, 4096));
    };
  }
};

std::map<std::string, std::string> files_of(const DecodedData& data)
{
  std::map<std::string, std::string> files;
  for (const auto& entry : data.entries)
    if (entry.type == '0')
      files[entry.name] = data.content_of(entry).read();
  return files;
}

const std::map<std::string, std::string> k_expected = {
    {"./usr/hello", "hello world\n"},
    {"./usr/big", std::string(300000, 'x') + "end"},
    {"./usr/empty", ""}};

void flip_byte(const fs::path& path, std::uintmax_t at)
{
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(at));
  const char old = static_cast<char>(file.get());
  file.seekp(static_cast<std::streamoff>(at));
  file.put(static_cast<char>(old ^ 0x20));
}

} // namespace

TEST_SUITE("unpack::DecodedCache")
{
  TEST_CASE("decoded once: the next build reads the entry instead of decoding")
  {
    const compose::TempPath root = compose::make_temp_directory("compose-decoded-");
    const fs::path directory = root.path() / "decoded";
    Decoder decoder;
    {
      DecodedCache cold(directory);
      const DecodedData data = cold.open(k_key, "hello.deb: data.tar.xz", decoder.function());
      CHECK(files_of(data) == k_expected);
      CHECK(data.content_of(data.entries.at(2)).is_reference());
      CHECK(cold.counts().decoded == 1);
      CHECK(cold.counts().read == 0);
    }
    CHECK(fs::file_size(directory / (k_key + ".tar")) == decoder.tar.size());
    CHECK(fs::exists(directory / (k_key + ".tar.sum")));
    DecodedCache warm(directory);
    const DecodedData data = warm.open(k_key, "hello.deb: data.tar.xz", decoder.function());
    CHECK(files_of(data) == k_expected);
    CHECK(decoder.runs == 1);
    CHECK(warm.counts().read == 1);
    CHECK(warm.counts().decoded == 0);
    CHECK(warm.summary() == "decoded 0 packages, 1 read from the decoded cache");
  }

  TEST_CASE("a damaged entry is rebuilt from the package, never used")
  {
    const compose::TempPath root = compose::make_temp_directory("compose-decoded-");
    const fs::path directory = root.path() / "decoded";
    const fs::path tar = directory / (k_key + ".tar");
    Decoder decoder;
    DecodedCache(directory).open(k_key, "p.deb", decoder.function());
    const std::string good = compose::read_file(tar);

    const auto damage_and_check = [&](const std::function<void()>& damage) {
      damage();
      const int runs_before = decoder.runs;
      DecodedCache cache(directory);
      const DecodedData data = cache.open(k_key, "p.deb", decoder.function());
      CHECK(files_of(data) == k_expected);
      CHECK(decoder.runs == runs_before + 1);
      CHECK(cache.counts().rebuilt == 1);
      CHECK(cache.counts().decoded == 1);
      CHECK(compose::read_file(tar) == good); // replaced by a good entry
      DecodedCache next(directory);
      next.open(k_key, "p.deb", decoder.function());
      CHECK(next.counts().read == 1);
    };
    SUBCASE("a flipped byte inside a file's content")
    {
      // Inside "big": the tar header would still parse; only the digest sees it.
      damage_and_check([&] { flip_byte(tar, good.find("xxxxend") + 2); });
    }
    SUBCASE("a flipped byte in a header")
    {
      damage_and_check([&] { flip_byte(tar, good.find("usr/hello")); });
    }
    SUBCASE("truncated")
    {
      damage_and_check([&] { fs::resize_file(tar, good.size() / 2); });
    }
    SUBCASE("truncated and the record made to match the size")
    {
      damage_and_check([&] {
        fs::resize_file(tar, good.size() - 1024);
        const std::string record = compose::read_file(fs::path(tar).concat(".sum"));
        std::ofstream(fs::path(tar).concat(".sum"))
            << record.substr(0, 65) << good.size() - 1024 << "\n";
      });
    }
    SUBCASE("the record missing or garbled")
    {
      damage_and_check([&] { fs::remove(fs::path(tar).concat(".sum")); });
      damage_and_check([&] { std::ofstream(fs::path(tar).concat(".sum")) << "garbage\n"; });
    }
  }

  TEST_CASE("concurrent opens of one package agree, and leave one good entry")
  {
    const compose::TempPath root = compose::make_temp_directory("compose-decoded-");
    const fs::path directory = root.path() / "decoded";
    Decoder decoder;
    DecodedCache cache(directory);
    std::vector<std::map<std::string, std::string>> seen(4);
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < seen.size(); ++t)
      threads.emplace_back(
          [&, t] { seen[t] = files_of(cache.open(k_key, "p.deb", decoder.function())); });
    for (std::thread& thread : threads)
      thread.join();
    for (const auto& files : seen)
      CHECK(files == k_expected);
    CHECK(cache.counts().read + cache.counts().decoded == 4);
    DecodedCache next(directory);
    CHECK(files_of(next.open(k_key, "p.deb", decoder.function())) == k_expected);
    CHECK(next.counts().read == 1);
    // No temporary files are left behind.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& item : fs::directory_iterator(directory))
      ++files;
    CHECK(files == 2);
  }

  TEST_CASE("without a cache directory the data goes to a spill file")
  {
    Decoder decoder;
    DecodedCache spill({});
    const DecodedData data = spill.open(k_key, "p.deb", decoder.function());
    CHECK(files_of(data) == k_expected);
    CHECK(spill.counts().decoded == 1);
    CHECK(fs::exists(data.file->where()) == false);
  }

  TEST_CASE("a package whose data is not a tar is an error and leaves no entry")
  {
    const compose::TempPath root = compose::make_temp_directory("compose-decoded-");
    const fs::path directory = root.path() / "decoded";
    DecodedCache cache(directory);
    CHECK_THROWS_WITH_AS(
        cache.open(k_key, "bad.deb: data.tar.xz",
                   [](const auto& write) { write(std::string(1024, 'z')); }),
        doctest::Contains("checksum"), compose::Error);
    CHECK(fs::is_empty(directory));
  }
}
