// What changed between two locks (`compose diff LOCK_A LOCK_B`): packages added, removed,
// upgraded, downgraded or rebuilt (same version, other file), with their source package and
// version; repositories added, removed or re-indexed; keys and pinned files added, removed or
// changed. Versions compare by the distribution's own rules (apk for Alpine, dpkg for Debian
// and Ubuntu). Reads only the fields every lock has, so locks that carry more still compare.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lock/lock_file.hpp"

namespace compose::lock {

struct PackageChange {
  std::string name, architecture;
  std::string change; // "added" | "removed" | "upgraded" | "downgraded" | "rebuilt"
  std::string old_version, new_version;         // empty when absent on that side
  std::string old_source, new_source;           // source package name
  std::string old_source_version, new_source_version;
};

// A repository, key or pinned file that is on one side only or differs.
struct EntryChange {
  std::string name;   // repository "URL suite/component" or URL; key name; file path
  std::string change; // "added" | "removed" | "changed"
  std::vector<std::string> details; // what differs: "index sha256 1a2b… -> 3c4d…"
};

struct LockDiff {
  std::string old_label, new_label; // "<recipe name> (<file as given>)"
  std::int64_t old_epoch = 0, new_epoch = 0;
  std::vector<PackageChange> packages;   // by name, then architecture
  std::vector<EntryChange> repositories; // by name
  std::vector<EntryChange> keys;         // by name
  std::vector<EntryChange> files;        // by path
  std::size_t unchanged_packages = 0;
  bool empty() const;
};

// Throws Error when the locks are of different package families (apk against deb).
LockDiff diff_locks(const LockFile& old_lock, const LockFile& new_lock,
                    const std::string& old_file, const std::string& new_file);

// Markdown for a release note: a summary line, then a table per section with changes.
std::string diff_markdown(const LockDiff& diff);
// JSON with sorted keys, two-space indent and a final newline.
std::string diff_json(const LockDiff& diff);

} // namespace compose::lock
