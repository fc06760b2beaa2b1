// Cache listing and pruning; see cache_prune.hpp.
#include "fetch/cache_prune.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>

#include "fetch/cache.hpp"
#include "util/error.hpp"

namespace fs = std::filesystem;

namespace compose::fetch {

namespace {

bool is_temporary_name(const std::string& name)
{
  return name.find(".tmp-") != std::string::npos || name.starts_with("tmp-");
}

// What a file at `top`/…/`file` is, by the layout each writer uses.
CacheKind kind_of(const std::string& top, const std::string& file, bool nested)
{
  if (top == "tmp")
    return CacheKind::temporary;
  if (is_temporary_name(file))
    return top == "sha256" || top == "keys" || top == "parsed" || top == "decoded" ||
                   top == "gzip-blocks"
               ? CacheKind::temporary
               : CacheKind::other;
  if (top == "sha256" && !nested && is_sha256_hex(file))
    return CacheKind::downloads;
  if (top == "keys" && !nested && is_sha256_hex(file))
    return CacheKind::names;
  if (top == "parsed" && !nested && is_sha256_hex(file))
    return CacheKind::parsed;
  if (top == "decoded" && !nested &&
      (file.ends_with(".tar") || file.ends_with(".tar.sum")) &&
      is_sha256_hex(file.substr(0, file.find('.'))))
    return CacheKind::decoded;
  if (top == "gzip-blocks" && nested && is_sha256_hex(file))
    return CacheKind::gzip_blocks;
  return CacheKind::other;
}

void add_file(CacheEntry& entry, const fs::path& file, const struct stat& status)
{
  entry.files.push_back(file);
  entry.bytes += static_cast<std::uint64_t>(status.st_blocks) * 512;
  entry.last_use = std::max<std::int64_t>(entry.last_use, status.st_mtim.tv_sec);
}

} // namespace

const char* kind_name(CacheKind kind)
{
  switch (kind) {
  case CacheKind::downloads: return "downloads";
  case CacheKind::names: return "names";
  case CacheKind::parsed: return "parsed";
  case CacheKind::decoded: return "decoded";
  case CacheKind::gzip_blocks: return "gzip-blocks";
  case CacheKind::temporary: return "temporary";
  case CacheKind::other: return "other";
  }
  return "other";
}

bool is_derived(CacheKind kind)
{
  return kind == CacheKind::parsed || kind == CacheKind::decoded || kind == CacheKind::gzip_blocks;
}

std::vector<CacheEntry> scan_cache(const fs::path& root)
{
  std::map<std::string, CacheEntry> by_name; // sorted; a decoded tar and its .sum meet here
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    return {};
  fs::recursive_directory_iterator walk(root, fs::directory_options::none, ec);
  if (ec)
    throw Error("cannot list the cache: " + ec.message(), root.string());
  for (; walk != fs::recursive_directory_iterator(); walk.increment(ec)) {
    if (ec)
      throw Error("cannot list the cache: " + ec.message(), root.string());
    const fs::path& path = walk->path();
    const fs::path relative = path.lexically_relative(root);
    const std::string top = relative.begin()->string();
    struct stat status {};
    if (::lstat(path.c_str(), &status) != 0)
      continue; // removed meanwhile by a build
    const bool known_top = top == "sha256" || top == "keys" || top == "tmp" || top == "parsed" ||
                           top == "decoded" || top == "gzip-blocks";
    if (S_ISDIR(status.st_mode)) {
      if (!known_top || (top != "gzip-blocks" && walk.depth() >= 1) ||
          (top == "gzip-blocks" && walk.depth() >= 2)) {
        // Another tool's directory, or one no writer of ours makes: one "other" entry.
        CacheEntry& entry = by_name[relative.string()];
        entry.kind = CacheKind::other;
        entry.name = relative.string();
        add_file(entry, path, status);
        for (fs::recursive_directory_iterator inside(path, ec), end; !ec && inside != end;
             inside.increment(ec)) {
          struct stat member {};
          if (::lstat(inside->path().c_str(), &member) == 0) {
            entry.bytes += static_cast<std::uint64_t>(member.st_blocks) * 512;
            entry.last_use = std::max<std::int64_t>(entry.last_use, member.st_mtim.tv_sec);
          }
        }
        ec.clear();
        walk.disable_recursion_pending();
      }
      continue;
    }
    const std::string file = path.filename().string();
    const bool nested = walk.depth() >= 2;
    const CacheKind kind = known_top ? kind_of(top, file, nested) : CacheKind::other;
    std::string name = relative.string();
    if (kind == CacheKind::decoded && name.ends_with(".sum"))
      name.resize(name.size() - 4);
    CacheEntry& entry = by_name[name];
    entry.kind = kind;
    entry.name = name;
    add_file(entry, path, status);
    if (kind == CacheKind::names && status.st_size <= 128)
      entry.target = read_digest_record(path).value_or("");
  }
  std::vector<CacheEntry> entries;
  entries.reserve(by_name.size());
  for (auto& [name, entry] : by_name)
    entries.push_back(std::move(entry));
  return entries;
}

std::vector<std::size_t> plan_prune(const std::vector<CacheEntry>& entries,
                                    const PruneRules& rules)
{
  std::vector<bool> chosen(entries.size(), false);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const CacheEntry& entry = entries[i];
    if (entry.kind == CacheKind::other || entry.kind == CacheKind::names)
      continue;
    if (entry.kind == CacheKind::temporary)
      chosen[i] = rules.now - entry.last_use >= rules.temporary_age;
    else if (rules.derived && is_derived(entry.kind))
      chosen[i] = true;
    else if (rules.unused_for && rules.now - entry.last_use > *rules.unused_for)
      chosen[i] = true;
  }
  if (rules.max_bytes) {
    std::uint64_t kept = 0;
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < entries.size(); ++i)
      if (!chosen[i]) {
        kept += entries[i].bytes;
        if (entries[i].kind != CacheKind::other && entries[i].kind != CacheKind::names)
          candidates.push_back(i);
      }
    // Derived data first (rebuilt from the downloads with CPU time; a download may need a
    // network an air-gapped host lacks), then downloads; least recently used first within
    // each; the name decides a tie, so a plan is the same on every run.
    std::sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
      const CacheEntry& x = entries[a];
      const CacheEntry& y = entries[b];
      if (is_derived(x.kind) != is_derived(y.kind))
        return is_derived(x.kind);
      return x.last_use != y.last_use ? x.last_use < y.last_use : x.name < y.name;
    });
    for (std::size_t i : candidates) {
      if (kept <= *rules.max_bytes)
        break;
      chosen[i] = true;
      kept -= entries[i].bytes;
    }
  }
  // A name whose download is gone, or goes now, names nothing.
  std::set<std::string> downloads;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].kind == CacheKind::downloads && !chosen[i])
      downloads.insert(entries[i].name.substr(entries[i].name.find('/') + 1));
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (entries[i].kind == CacheKind::names && !downloads.contains(entries[i].target))
      chosen[i] = true;
  std::vector<std::size_t> plan;
  for (std::size_t i = 0; i < entries.size(); ++i)
    if (chosen[i])
      plan.push_back(i);
  return plan;
}

void remove_entries(const std::vector<CacheEntry>& entries, const std::vector<std::size_t>& chosen)
{
  for (std::size_t index : chosen) {
    // The record before the tar: a build that looks meanwhile finds no record and decodes
    // again, never a record without its tar.
    std::vector<fs::path> files = entries[index].files;
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
      return a.extension() == ".sum" && b.extension() != ".sum";
    });
    for (const fs::path& file : files) {
      std::error_code ec;
      fs::remove_all(file, ec);
      if (ec && ec != std::errc::no_such_file_or_directory)
        throw Error("cannot remove cache entry: " + ec.message(), file.string());
    }
  }
}

} // namespace compose::fetch
