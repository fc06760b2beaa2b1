// Cache pruning: how files are sorted into kinds, which entries each rule chooses (derived
// data before downloads, least recently used first, names with their download), that
// another tool's files are never chosen, and byte sizes as --max-size spells them.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include "fetch/cache_prune.hpp"
#include "util/byte_size.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;
using namespace compose;
using fetch::CacheEntry;
using fetch::CacheKind;

namespace {

const std::string k_a(64, 'a');
const std::string k_b(64, 'b');
const std::string k_c(64, 'c');

void put(const fs::path& file, const std::string& bytes, std::int64_t mtime)
{
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
  const struct timespec times[2] = {{mtime, 0}, {mtime, 0}};
  REQUIRE(::utimensat(AT_FDCWD, file.c_str(), times, 0) == 0);
}

CacheEntry entry(CacheKind kind, std::string name, std::uint64_t bytes, std::int64_t last_use,
                 std::string target = {})
{
  CacheEntry made;
  made.kind = kind;
  made.name = std::move(name);
  made.bytes = bytes;
  made.last_use = last_use;
  made.target = std::move(target);
  return made;
}

std::vector<std::string> names_of(const std::vector<CacheEntry>& entries,
                                  const std::vector<std::size_t>& chosen)
{
  std::vector<std::string> names;
  for (std::size_t index : chosen)
    names.push_back(entries[index].name);
  return names;
}

} // namespace

TEST_SUITE("fetch::cache_prune")
{
  TEST_CASE("scan_cache sorts files into kinds; a decoded tar and its record are one entry")
  {
    const TempPath root = make_temp_directory("cache-scan-");
    const fs::path dir = root.path();
    put(dir / "sha256" / k_a, "package", 1000);
    put(dir / "keys" / k_b, k_a + "\n", 2000);
    put(dir / "parsed" / k_c, "parsed", 3000);
    put(dir / "decoded" / (k_a + ".tar"), "tar", 4000);
    put(dir / "decoded" / (k_a + ".tar.sum"), "sum", 4500);
    put(dir / "decoded" / "tmp-1234.tar", "half", 10);
    put(dir / "gzip-blocks" / "cc" / k_c, "member", 5000);
    put(dir / "gzip-blocks" / "cc" / (k_c + ".tmp-99"), "half", 20);
    put(dir / "tmp" / "download-77", "half", 30);
    put(dir / "microvm-kernel" / "vmlinux", "kernel", 40);
    put(dir / "sha256" / "not-a-digest", "?", 50);

    const std::vector<CacheEntry> entries = fetch::scan_cache(dir);
    std::vector<std::string> seen;
    for (const CacheEntry& found : entries)
      seen.push_back(found.name + " " + fetch::kind_name(found.kind));
    CHECK(seen == std::vector<std::string>{
                      "decoded/" + k_a + ".tar decoded",
                      "decoded/tmp-1234.tar temporary",
                      "gzip-blocks/cc/" + k_c + " gzip-blocks",
                      "gzip-blocks/cc/" + k_c + ".tmp-99 temporary",
                      "keys/" + k_b + " names",
                      "microvm-kernel other",
                      "parsed/" + k_c + " parsed",
                      "sha256/" + k_a + " downloads",
                      "sha256/not-a-digest other",
                      "tmp/download-77 temporary",
                  });
    const auto decoded = std::find_if(entries.begin(), entries.end(), [](const CacheEntry& e) {
      return e.kind == CacheKind::decoded;
    });
    CHECK(decoded->files.size() == 2);
    CHECK(decoded->last_use == 4500); // the newer of the tar and its record
    const auto name = std::find_if(entries.begin(), entries.end(), [](const CacheEntry& e) {
      return e.kind == CacheKind::names;
    });
    CHECK(name->target == k_a);

    // Removing the decoded entry removes both files; a missing root holds nothing.
    fetch::remove_entries(entries, {static_cast<std::size_t>(decoded - entries.begin())});
    CHECK_FALSE(fs::exists(dir / "decoded" / (k_a + ".tar")));
    CHECK_FALSE(fs::exists(dir / "decoded" / (k_a + ".tar.sum")));
    CHECK(fetch::scan_cache(dir / "absent").empty());
  }

  TEST_CASE("plan_prune: temporaries by age, --derived, --unused-for, names with downloads")
  {
    const std::int64_t now = 100 * 86400;
    const std::vector<CacheEntry> entries = {
        entry(CacheKind::decoded, "decoded/x.tar", 10, now - 1),
        entry(CacheKind::downloads, "sha256/" + k_a, 10, now - 40 * 86400),
        entry(CacheKind::downloads, "sha256/" + k_b, 10, now - 1),
        entry(CacheKind::names, "keys/1", 1, now - 90 * 86400, k_a),
        entry(CacheKind::names, "keys/2", 1, now - 90 * 86400, k_b),
        entry(CacheKind::names, "keys/3", 1, now, k_c), // names a download already gone
        entry(CacheKind::other, "microvm-kernel", 10, 0),
        entry(CacheKind::temporary, "tmp/old", 1, now - 86400),
        entry(CacheKind::temporary, "tmp/live", 1, now - 60),
    };
    fetch::PruneRules rules;
    rules.now = now;
    CHECK(names_of(entries, fetch::plan_prune(entries, rules)) ==
          std::vector<std::string>{"keys/3", "tmp/old"});
    rules.derived = true;
    CHECK(names_of(entries, fetch::plan_prune(entries, rules)) ==
          std::vector<std::string>{"decoded/x.tar", "keys/3", "tmp/old"});
    rules.derived = false;
    rules.unused_for = 30 * 86400;
    CHECK(names_of(entries, fetch::plan_prune(entries, rules)) ==
          std::vector<std::string>{"sha256/" + k_a, "keys/1", "keys/3", "tmp/old"});
  }

  TEST_CASE("plan_prune --max-size: derived first, then downloads, least recently used first")
  {
    const std::int64_t now = 1000;
    const std::vector<CacheEntry> entries = {
        entry(CacheKind::downloads, "sha256/" + k_a, 100, 10), // the oldest of all
        entry(CacheKind::downloads, "sha256/" + k_b, 100, 20),
        entry(CacheKind::gzip_blocks, "gzip-blocks/aa/2", 50, 500),
        entry(CacheKind::gzip_blocks, "gzip-blocks/aa/1", 50, 500), // a tie: the name decides
        entry(CacheKind::parsed, "parsed/p", 50, 900),
        entry(CacheKind::names, "keys/1", 1, 0, k_a),
        entry(CacheKind::other, "microvm-kernel", 1000, 0),
    };
    fetch::PruneRules rules;
    rules.now = now;
    rules.max_bytes = 1000 + 1 + 200 + 50; // other, the name and both downloads, one derived
    CHECK(names_of(entries, fetch::plan_prune(entries, rules)) ==
          std::vector<std::string>{"gzip-blocks/aa/2", "gzip-blocks/aa/1"});
    rules.max_bytes = 1000 + 1 + 100;
    CHECK(names_of(entries, fetch::plan_prune(entries, rules)) ==
          std::vector<std::string>{"sha256/" + k_a, "gzip-blocks/aa/2", "gzip-blocks/aa/1",
                                   "parsed/p", "keys/1"});
    rules.max_bytes = 0; // everything but another tool's files
    CHECK(fetch::plan_prune(entries, rules).size() == entries.size() - 1);
  }

  TEST_CASE("byte sizes as --max-size and recipes spell them")
  {
    CHECK(parse_byte_size("0") == 0U);
    CHECK(parse_byte_size("1536") == 1536U);
    CHECK(parse_byte_size("2G") == 2ULL << 30);
    CHECK(parse_byte_size("512m") == 512ULL << 20);
    CHECK(parse_byte_size("16383P") == std::nullopt);
    CHECK(parse_byte_size("16777215T") == 16777215ULL << 40);
    CHECK(parse_byte_size("16777216T") == std::nullopt); // 2^64: does not fit
    CHECK(parse_byte_size("99999999999999999999") == std::nullopt);
    for (const char* bad : {"", "G", "-1", "1.5G", "2GB", "2 G", " 2"})
      CHECK_MESSAGE(parse_byte_size(bad) == std::nullopt, bad);
    CHECK(format_byte_size(1023) == "1023 B");
    CHECK(format_byte_size(1536) == "1.5 KiB");
    CHECK(format_byte_size(823ULL << 20) == "823 MiB");
    CHECK(format_byte_size(3ULL << 30) == "3.0 GiB");
  }
}
