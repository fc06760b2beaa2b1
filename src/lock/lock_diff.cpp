// Comparing two locks; see lock_diff.hpp.
#include "lock/lock_diff.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "repo/apk/version.hpp"
#include "repo/deb/control_file.hpp"
#include "repo/deb/version.hpp"
#include "util/error.hpp"
#include "util/json_output.hpp"

namespace compose::lock {

namespace {

enum class Family { apk, deb };

Family family_of(const LockFile& lock, const std::string& file)
{
  const std::string& distribution = lock.recipe.distribution;
  if (distribution == "alpine")
    return Family::apk;
  if (distribution == "debian" || distribution == "ubuntu")
    return Family::deb;
  throw Error("lock of unknown distribution " + quote(distribution), file);
}

// <0, 0, >0 by the family's rules; a version one family cannot read compares as text.
int compare(Family family, const std::string& a, const std::string& b)
{
  if (family == Family::apk)
    return repo::apk::compare_versions(a, b);
  if (repo::deb::is_valid_version(a) && repo::deb::is_valid_version(b))
    return repo::deb::compare_versions(a, b);
  return a.compare(b);
}

struct Source {
  std::string name, version;
};

// The source package a binary package came from, as its verified record says: apk's "o:"
// (origin; same version), Debian's "Source: name [(version)]" (absent: the package itself).
Source source_of(Family family, const LockedPackage& package)
{
  Source source{package.name, package.version};
  if (family == Family::apk) {
    std::size_t start = 0;
    while (start < package.record.size()) {
      std::size_t end = package.record.find('\n', start);
      if (end == std::string::npos)
        end = package.record.size();
      if (package.record.compare(start, 2, "o:") == 0)
        source.name = package.record.substr(start + 2, end - start - 2);
      start = end + 1;
    }
    return source;
  }
  try {
    const std::vector<repo::deb::Paragraph> paragraphs =
        repo::deb::parse_control(package.record, package.name, repo::deb::ControlErrors::tolerate);
    if (paragraphs.empty())
      return source;
    const std::string field = paragraphs.front().value("Source");
    if (field.empty())
      return source;
    const std::size_t open = field.find(" (");
    source.name = field.substr(0, open);
    if (open != std::string::npos && field.back() == ')')
      source.version = field.substr(open + 2, field.size() - open - 3);
  } catch (const Error&) {
    // A record compose cannot read keeps the package as its own source.
  }
  return source;
}

std::string label(const LockFile& lock, const std::string& file)
{
  return lock.recipe.name + " (" + file + ")";
}

std::string repository_name(const LockedRepository& repository)
{
  if (!repository.suite.empty())
    return repository.url + " " + repository.suite + "/" + repository.component;
  return repository.tag.empty() ? repository.url : repository.url + " @" + repository.tag;
}

std::string short_digest(const std::string& sha256)
{
  return sha256.size() > 12 ? sha256.substr(0, 12) : sha256;
}

void differ(std::vector<std::string>& details, const std::string& what, const std::string& a,
            const std::string& b)
{
  if (a != b)
    details.push_back(what + " " + (a.empty() ? "(none)" : a) + " -> " + (b.empty() ? "(none)" : b));
}

std::string joined(const std::vector<std::string>& items)
{
  std::string text;
  for (const std::string& item : items)
    text += (text.empty() ? "" : ", ") + item;
  return text;
}

// Entries keyed by name: on one side only, or on both with `details` saying what differs.
template <typename T, typename Name, typename Details>
std::vector<EntryChange> diff_entries(const std::vector<T>& old_items,
                                      const std::vector<T>& new_items, Name name_of,
                                      Details details_of)
{
  std::map<std::string, const T*> old_by_name, new_by_name;
  for (const T& item : old_items)
    old_by_name.emplace(name_of(item), &item);
  for (const T& item : new_items)
    new_by_name.emplace(name_of(item), &item);
  std::vector<EntryChange> changes;
  for (const auto& [name, item] : old_by_name)
    if (!new_by_name.contains(name))
      changes.push_back({name, "removed", {}});
  for (const auto& [name, item] : new_by_name) {
    const auto old = old_by_name.find(name);
    if (old == old_by_name.end()) {
      changes.push_back({name, "added", {}});
      continue;
    }
    std::vector<std::string> details = details_of(*old->second, *item);
    if (!details.empty())
      changes.push_back({name, "changed", std::move(details)});
  }
  std::sort(changes.begin(), changes.end(),
            [](const EntryChange& a, const EntryChange& b) { return a.name < b.name; });
  return changes;
}

std::vector<PackageChange> diff_packages(Family family, const LockFile& old_lock,
                                         const LockFile& new_lock, std::size_t& unchanged)
{
  using Key = std::pair<std::string, std::string>; // name, architecture
  std::map<Key, const LockedPackage*> old_packages, new_packages;
  for (const LockedPackage& package : old_lock.packages)
    old_packages.emplace(Key{package.name, package.architecture}, &package);
  for (const LockedPackage& package : new_lock.packages)
    new_packages.emplace(Key{package.name, package.architecture}, &package);
  std::set<Key> names;
  for (const auto& [key, package] : old_packages)
    names.insert(key);
  for (const auto& [key, package] : new_packages)
    names.insert(key);

  std::vector<PackageChange> changes;
  for (const Key& key : names) {
    const auto old = old_packages.find(key);
    const auto now = new_packages.find(key);
    PackageChange change;
    change.name = key.first;
    change.architecture = key.second;
    if (old != old_packages.end()) {
      const Source source = source_of(family, *old->second);
      change.old_version = old->second->version;
      change.old_source = source.name;
      change.old_source_version = source.version;
    }
    if (now != new_packages.end()) {
      const Source source = source_of(family, *now->second);
      change.new_version = now->second->version;
      change.new_source = source.name;
      change.new_source_version = source.version;
    }
    if (old == old_packages.end()) {
      change.change = "added";
    } else if (now == new_packages.end()) {
      change.change = "removed";
    } else if (const int order = compare(family, change.old_version, change.new_version);
               order != 0) {
      change.change = order < 0 ? "upgraded" : "downgraded";
    } else if (old->second->digests != now->second->digests || old->second->size != now->second->size) {
      change.change = "rebuilt"; // same version, other bytes: worth a look
    } else {
      ++unchanged;
      continue;
    }
    changes.push_back(std::move(change));
  }
  return changes;
}

std::size_t count(const LockDiff& diff, const std::string& change)
{
  return static_cast<std::size_t>(std::count_if(
      diff.packages.begin(), diff.packages.end(),
      [&](const PackageChange& package) { return package.change == change; }));
}

std::string source_text(const PackageChange& change)
{
  const std::string before =
      change.old_source.empty() ? "" : change.old_source + " " + change.old_source_version;
  const std::string after =
      change.new_source.empty() ? "" : change.new_source + " " + change.new_source_version;
  if (before.empty())
    return after;
  if (after.empty() || before == after)
    return before;
  if (change.old_source == change.new_source)
    return change.old_source + " " + change.old_source_version + " -> " + change.new_source_version;
  return before + " -> " + after;
}

std::string or_dash(const std::string& text)
{
  return text.empty() ? "-" : text;
}

// Markdown table cells must not break the row.
std::string cell(std::string text)
{
  std::string out;
  for (const char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

void entry_table(std::string& out, const std::string& title, const std::string& column,
                 const std::vector<EntryChange>& changes)
{
  if (changes.empty())
    return;
  out += "\n## " + title + "\n\n| " + column + " | Change | Details |\n|---|---|---|\n";
  for (const EntryChange& change : changes)
    out += "| " + cell(change.name) + " | " + change.change + " | " +
           cell(or_dash(joined(change.details))) + " |\n";
}

nlohmann::json entries_json(const std::vector<EntryChange>& changes)
{
  nlohmann::json list = nlohmann::json::array();
  for (const EntryChange& change : changes)
    list.push_back({{"name", change.name}, {"change", change.change}, {"details", change.details}});
  return list;
}

std::string plural(std::size_t n, const std::string& word)
{
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

} // namespace

bool LockDiff::empty() const
{
  return packages.empty() && repositories.empty() && keys.empty() && files.empty() &&
         old_epoch == new_epoch;
}

LockDiff diff_locks(const LockFile& old_lock, const LockFile& new_lock,
                    const std::string& old_file, const std::string& new_file)
{
  const Family family = family_of(old_lock, old_file);
  if (family_of(new_lock, new_file) != family)
    throw Error("cannot compare locks of " + old_lock.recipe.distribution + " and " +
                    new_lock.recipe.distribution + ": their versions follow other rules",
                old_file + ", " + new_file);
  LockDiff diff;
  diff.old_label = label(old_lock, old_file);
  diff.new_label = label(new_lock, new_file);
  diff.old_epoch = old_lock.epoch;
  diff.new_epoch = new_lock.epoch;
  diff.packages = diff_packages(family, old_lock, new_lock, diff.unchanged_packages);
  diff.repositories = diff_entries(
      old_lock.repositories, new_lock.repositories, repository_name,
      [](const LockedRepository& a, const LockedRepository& b) {
        std::vector<std::string> details;
        differ(details, "index sha256", short_digest(a.index.sha256), short_digest(b.index.sha256));
        differ(details, "Packages sha256", short_digest(a.packages.sha256),
               short_digest(b.packages.sha256));
        differ(details, "signed by", a.signed_by, b.signed_by);
        differ(details, "priority", std::to_string(a.priority), std::to_string(b.priority));
        return details;
      });
  diff.keys = diff_entries(
      old_lock.keys, new_lock.keys, [](const LockedKey& key) { return key.name; },
      [](const LockedKey& a, const LockedKey& b) {
        std::vector<std::string> details;
        differ(details, "kind", a.kind, b.kind);
        differ(details, "sha256", short_digest(a.sha256), short_digest(b.sha256));
        differ(details, "fingerprints", joined(a.fingerprints), joined(b.fingerprints));
        return details;
      });
  diff.files = diff_entries(
      old_lock.files, new_lock.files, [](const LockedFile& file) { return file.path; },
      [](const LockedFile& a, const LockedFile& b) {
        std::vector<std::string> details;
        differ(details, "url", a.url, b.url);
        differ(details, "sha256", short_digest(a.sha256), short_digest(b.sha256));
        return details;
      });
  return diff;
}

std::string diff_markdown(const LockDiff& diff)
{
  std::string out = "# " + diff.old_label + " -> " + diff.new_label + "\n\n";
  if (diff.empty())
    return out + "No changes (" + plural(diff.unchanged_packages, "package") + ").\n";
  out += "Packages: " + std::to_string(count(diff, "added")) + " added, " +
         std::to_string(count(diff, "removed")) + " removed, " +
         std::to_string(count(diff, "upgraded")) + " upgraded, " +
         std::to_string(count(diff, "downgraded")) + " downgraded, " +
         std::to_string(count(diff, "rebuilt")) + " rebuilt, " +
         std::to_string(diff.unchanged_packages) + " unchanged. Repositories: " +
         std::to_string(diff.repositories.size()) + " changed. Keys: " +
         std::to_string(diff.keys.size()) + " changed. Pinned files: " +
         std::to_string(diff.files.size()) + " changed.\n";
  if (diff.old_epoch != diff.new_epoch)
    out += "\nEpoch: " + std::to_string(diff.old_epoch) + " -> " + std::to_string(diff.new_epoch) +
           "\n";
  if (!diff.packages.empty()) {
    out += "\n## Packages\n\n| Package | Architecture | Change | Old | New | Source |\n"
           "|---|---|---|---|---|---|\n";
    for (const PackageChange& change : diff.packages)
      out += "| " + cell(change.name) + " | " + cell(change.architecture) + " | " +
             change.change + " | " + cell(or_dash(change.old_version)) + " | " +
             cell(or_dash(change.new_version)) + " | " + cell(or_dash(source_text(change))) +
             " |\n";
  }
  entry_table(out, "Repositories", "Repository", diff.repositories);
  entry_table(out, "Keys", "Key", diff.keys);
  entry_table(out, "Pinned files", "Path", diff.files);
  return out;
}

std::string diff_json(const LockDiff& diff)
{
  nlohmann::json packages = nlohmann::json::array();
  for (const PackageChange& change : diff.packages) {
    nlohmann::json entry = {{"name", change.name},
                            {"architecture", change.architecture},
                            {"change", change.change}};
    if (!change.old_version.empty())
      entry["old"] = {{"version", change.old_version},
                      {"source", change.old_source},
                      {"source_version", change.old_source_version}};
    if (!change.new_version.empty())
      entry["new"] = {{"version", change.new_version},
                      {"source", change.new_source},
                      {"source_version", change.new_source_version}};
    packages.push_back(std::move(entry));
  }
  nlohmann::json document = {
      {"old", diff.old_label},
      {"new", diff.new_label},
      {"packages", packages},
      {"repositories", entries_json(diff.repositories)},
      {"keys", entries_json(diff.keys)},
      {"files", entries_json(diff.files)},
      {"summary",
       {{"added", count(diff, "added")},
        {"removed", count(diff, "removed")},
        {"upgraded", count(diff, "upgraded")},
        {"downgraded", count(diff, "downgraded")},
        {"rebuilt", count(diff, "rebuilt")},
        {"unchanged", diff.unchanged_packages}}}};
  if (diff.old_epoch != diff.new_epoch)
    document["epoch"] = {{"old", diff.old_epoch}, {"new", diff.new_epoch}};
  return exact_json_text(document, 2, "the lock diff") + "\n";
}

} // namespace compose::lock
