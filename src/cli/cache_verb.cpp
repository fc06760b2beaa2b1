// `compose cache`: what the cache holds, by kind; `compose cache prune`: remove what the
// rules name. Wall-clock time is read here only to age entries; nothing of it reaches an
// image.
#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/verbs.hpp"
#include "fetch/cache_prune.hpp"
#include "fetch/fetch.hpp"
#include "util/byte_size.hpp"
#include "util/error.hpp"

namespace compose::cli {

namespace {

struct Tally {
  std::size_t entries = 0;
  std::uint64_t bytes = 0;
  std::int64_t oldest_use = 0;
};

std::map<fetch::CacheKind, Tally> tally(const std::vector<fetch::CacheEntry>& entries,
                                        const std::vector<std::size_t>& which)
{
  std::map<fetch::CacheKind, Tally> kinds;
  for (std::size_t index : which) {
    const fetch::CacheEntry& entry = entries[index];
    Tally& kind = kinds[entry.kind];
    kind.oldest_use = kind.entries ? std::min(kind.oldest_use, entry.last_use) : entry.last_use;
    ++kind.entries;
    kind.bytes += entry.bytes;
  }
  return kinds;
}

std::string days_ago(std::int64_t now, std::int64_t then)
{
  const std::int64_t days = (now - then) / 86400;
  return days <= 0 ? "today" : days == 1 ? "1 day ago" : std::to_string(days) + " days ago";
}

void print_table(const std::map<fetch::CacheKind, Tally>& kinds, std::int64_t now)
{
  std::cout << std::left << std::setw(13) << "kind" << std::right << std::setw(9) << "entries"
            << std::setw(12) << "size" << "  least recently used\n";
  Tally total;
  for (const auto& [kind, tally] : kinds) {
    std::cout << std::left << std::setw(13) << fetch::kind_name(kind) << std::right
              << std::setw(9) << tally.entries << std::setw(12) << format_byte_size(tally.bytes)
              << "  " << days_ago(now, tally.oldest_use) << "\n";
    total.entries += tally.entries;
    total.bytes += tally.bytes;
  }
  std::cout << std::left << std::setw(13) << "total" << std::right << std::setw(9)
            << total.entries << std::setw(12) << format_byte_size(total.bytes) << "\n";
}

std::filesystem::path cache_root(const std::string& given)
{
  return given.empty() ? fetch::default_cache_dir() : std::filesystem::path(given);
}

std::vector<std::size_t> all_of(const std::vector<fetch::CacheEntry>& entries)
{
  std::vector<std::size_t> every(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i)
    every[i] = i;
  return every;
}

} // namespace

int run_cache_list(const std::string& cache_dir)
{
  const std::filesystem::path root = cache_root(cache_dir);
  const std::vector<fetch::CacheEntry> entries = fetch::scan_cache(root);
  std::cout << "cache " << root.string() << "\n";
  print_table(tally(entries, all_of(entries)), std::time(nullptr));
  return 0;
}

int run_cache_prune(const CachePruneOptions& options)
{
  fetch::PruneRules rules;
  rules.now = std::time(nullptr);
  rules.derived = options.derived;
  if (options.unused_for_days)
    rules.unused_for = static_cast<std::int64_t>(*options.unused_for_days) * 86400;
  if (!options.max_size.empty()) {
    rules.max_bytes = parse_byte_size(options.max_size);
    if (!rules.max_bytes)
      throw UsageError("bad size " + quote(options.max_size), "--max-size",
                       "a number of bytes, or a number followed by K, M, G or T: \"20G\"");
  }
  const std::filesystem::path root = cache_root(options.cache_dir);
  const std::vector<fetch::CacheEntry> entries = fetch::scan_cache(root);
  const std::vector<std::size_t> plan = fetch::plan_prune(entries, rules);
  if (options.dry_run)
    for (std::size_t index : plan)
      std::cout << "would remove " << entries[index].name << "\n";
  else
    fetch::remove_entries(entries, plan);
  std::cout << "cache " << root.string() << ": " << (options.dry_run ? "would remove " : "removed ")
            << plan.size() << " entries\n";
  print_table(tally(entries, plan), rules.now);
  return 0;
}

} // namespace compose::cli
