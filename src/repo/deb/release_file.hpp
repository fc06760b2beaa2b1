// Release: the verified text of InRelease (or Release) -> the suite's facts and the SHA-256
// list that pins every index file. Weak digests (MD5Sum, SHA1) alone are not accepted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace compose::repo::deb {

struct ReleaseEntry {
  std::string path; // "main/binary-amd64/Packages.xz"
  std::uint64_t size = 0;
  std::string sha256;
};

struct Release {
  std::string origin, label, suite, codename, version;
  std::int64_t date = 0;                  // Unix seconds
  std::optional<std::int64_t> valid_until;
  std::vector<std::string> architectures, components;
  bool acquire_by_hash = false;
  std::vector<ReleaseEntry> files;        // from the SHA256 field
};

// Throws Error naming `where` for a missing SHA256 list, a malformed line or date.
Release parse_release(const std::string& verified_text, const std::string& where);

// RFC 2822 dates as Release files write them ("Sat, 11 Jul 2026 10:16:37 UTC").
std::int64_t parse_release_date(const std::string& text, const std::string& where);

// Throws Error when the Release expired before `now`, unless `allow_expired` (the explicit,
// recorded override for snapshots and air-gapped mirrors).
void check_valid_until(const Release& release, std::int64_t now, bool allow_expired,
                       const std::string& where);

// The Packages files the Release lists for a component and architecture, in the order apt
// tries them: .xz, then .gz, then plain. Empty when the Release lists none.
std::vector<const ReleaseEntry*> packages_indexes(const Release& release,
                                                  const std::string& component,
                                                  const std::string& architecture);

// "<dir>/by-hash/SHA256/<digest>" for an entry, as apt fetches it when Acquire-By-Hash: yes.
std::string by_hash_path(const ReleaseEntry& entry);

} // namespace compose::repo::deb
