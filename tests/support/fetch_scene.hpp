// A scratch mirror directory and cache for fetcher tests, with the faults file and request
// log that tests/support/http_server.py reads and writes.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "fetch/fetch.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

namespace compose::testing {

struct FetchScene {
  compose::TempPath dir = compose::make_temp_directory("compose-fetch-test-");
  std::filesystem::path mirror = dir.path() / "mirror";
  std::filesystem::path cache = dir.path() / "cache";
  FetchScene() { std::filesystem::create_directories(mirror); }
  std::string put(const std::string& name, const std::string& bytes)
  {
    std::ofstream(mirror / name, std::ios::binary) << bytes;
    return compose::sha256_hex(bytes);
  }
  compose::fetch::Options options(bool offline = false) const
  {
    compose::fetch::Options o;
    o.cache_dir = cache;
    o.offline = offline;
    o.retries = 2;
    o.backoff_ms = 1;
    return o;
  }
  std::size_t entries() const
  {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(cache / "sha256"))
      ++n;
    return n;
  }
  std::size_t temporaries() const
  {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(cache / "tmp"))
      ++n;
    return n;
  }
  void faults(const std::string& json) const { std::ofstream(dir.path() / "faults.json") << json; }
  std::size_t requests_for(const std::string& path) const
  {
    std::ifstream log(dir.path() / "requests.log");
    std::size_t n = 0;
    for (std::string line; std::getline(log, line);)
      n += line == path;
    return n;
  }
};

} // namespace compose::testing
