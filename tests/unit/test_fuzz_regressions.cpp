// Replays every committed fuzz input (tests/fuzz/regressions/<harness>/ and the hand-made
// seeds in tests/fuzz/seeds/<harness>/) through the same entry functions libFuzzer drives, so
// a fixed finding stays fixed in every build, with gcc too. An input must end in a result or
// a compose::Error; a crash ends the test binary, another exception fails here.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "harness.hpp"

namespace fs = std::filesystem;

namespace {

std::string read_bytes(const fs::path& file)
{
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

} // namespace

TEST_SUITE("fuzz")
{
  TEST_CASE("every harness file is in the table, and every input directory names a harness")
  {
    std::set<std::string> table;
    for (const compose::fuzz::Harness& harness : compose::fuzz::harnesses())
      table.insert(harness.name);
    const fs::path fuzz = fs::path(COMPOSE_SOURCE_DIR) / "tests" / "fuzz";
    std::set<std::string> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(fuzz)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("fuzz_") && name.ends_with(".cpp"))
        files.insert(name.substr(5, name.size() - 9));
    }
    CHECK(files == table);
    for (const char* kind : {"regressions", "seeds"})
      if (fs::exists(fuzz / kind))
        for (const fs::directory_entry& entry : fs::directory_iterator(fuzz / kind)) {
          INFO(entry.path());
          CHECK(table.contains(entry.path().filename().string()));
        }
  }

  TEST_CASE("committed fuzz inputs end in a result or a clear error")
  {
    const fs::path fuzz = fs::path(COMPOSE_SOURCE_DIR) / "tests" / "fuzz";
    std::size_t replayed = 0;
    for (const compose::fuzz::Harness& harness : compose::fuzz::harnesses())
      for (const char* kind : {"regressions", "seeds"}) {
        const fs::path directory = fuzz / kind / harness.name;
        if (!fs::is_directory(directory))
          continue;
        for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
          INFO(harness.name << ": " << entry.path());
          CHECK_NOTHROW(harness.entry(read_bytes(entry.path())));
          ++replayed;
        }
      }
    MESSAGE(replayed << " fuzz inputs replayed");
    CHECK(replayed > 0);
  }
}
