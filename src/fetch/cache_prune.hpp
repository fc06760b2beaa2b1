// What the cache directory holds, by kind, and removing what is no longer wanted
// (`compose cache`, `compose cache prune`). An entry's last use is its mtime: builds set it
// whenever they take an entry from the cache (mark_used). Names the cache does not know
// (another tool's directory beside ours) are listed as "other" and never removed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace compose::fetch {

enum class CacheKind {
  downloads,   // sha256/<digest>: verified packages, indexes, keys, initramfs images
  names,       // keys/<sha256 of a name>: the digest a name was last verified with
  parsed,      // parsed/<key>: parsed Packages indexes
  decoded,     // decoded/<key>.tar and its .sum: decoded package data
  gzip_blocks, // gzip-blocks/<k>/<key>: compressed layer blocks
  temporary,   // tmp/…, *.tmp-…, decoded/tmp-…: left by a build that was killed
  other,
};
const char* kind_name(CacheKind kind); // "downloads", "gzip-blocks", …
bool is_derived(CacheKind kind);       // parsed, decoded, gzip_blocks: safe to drop any time

struct CacheEntry {
  CacheKind kind = CacheKind::other;
  std::string name;                       // relative to the cache root: "sha256/ab…"
  std::vector<std::filesystem::path> files; // a decoded entry is its tar and its record
  std::uint64_t bytes = 0;                // disk space (allocated blocks)
  std::int64_t last_use = 0;              // newest mtime of its files, seconds since 1970
  std::string target;                     // names: the digest recorded
};

// Every entry under `root`, sorted by name. A missing root holds nothing.
std::vector<CacheEntry> scan_cache(const std::filesystem::path& root);

struct PruneRules {
  std::int64_t now = 0;
  bool derived = false;                   // every parsed, decoded and gzip-blocks entry
  std::optional<std::int64_t> unused_for; // seconds: entries not used for longer
  std::optional<std::uint64_t> max_bytes; // then derived data, then downloads, least recently
                                          // used first, until the rest fits
  std::int64_t temporary_age = 86400;     // temporaries untouched this long are a dead build's
};

// The entries the rules remove (indexes into `entries`, ascending). Always: old temporaries,
// and names whose download is gone or goes. Entries of kind other are never chosen, and
// names are chosen only as dangling.
std::vector<std::size_t> plan_prune(const std::vector<CacheEntry>& entries,
                                    const PruneRules& rules);

// Removes the files of each chosen entry; one that has gone meanwhile is not an error.
// Throws Error naming a file that cannot be removed.
void remove_entries(const std::vector<CacheEntry>& entries, const std::vector<std::size_t>& chosen);

} // namespace compose::fetch
