// A lock's package entries against the signed indexes they claim to come from. A lock is a
// plain file anyone may edit; what it pins counts only when the signed index holds exactly
// that record: same name, version, architecture, size, digests, record text and file URL.
// Used by locked builds (after fetching the pinned index again) and by bundle verification.
#pragma once

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "lock/lock_file.hpp"
#include "repo/apk/index.hpp"
#include "repo/deb/packages_index.hpp"

namespace compose::pipeline {

// The records of one verified APKINDEX, by name and version.
class SignedApkRecords {
public:
  // `index_name` names the signed index in messages (its URL or bundle member).
  SignedApkRecords(const repo::apk::Index& index, std::string index_name);

  // The signed record `entry` names. Throws Error naming the package and the index when the
  // index holds no such package, or when any pinned field differs from the signed record
  // (the lock's url must be `repository.url` + "/" + the record's <arch>/<file name>).
  const repo::apk::Package& find(const lock::LockedPackage& entry,
                                 const lock::LockedRepository& repository) const;

private:
  std::map<std::pair<std::string, std::string>, const repo::apk::Package*> m_records;
  std::string m_index_name;
};

// The records of one verified Packages index, by name, version and architecture.
class SignedDebRecords {
public:
  SignedDebRecords(const std::vector<repo::deb::Package>& packages, std::string index_name);

  // As SignedApkRecords::find; the lock's path must be the stanza's Filename and its url
  // `repository.url` + "/" + Filename.
  const repo::deb::Package& find(const lock::LockedPackage& entry,
                                 const lock::LockedRepository& repository) const;

private:
  std::map<std::tuple<std::string, std::string, std::string>, const repo::deb::Package*>
      m_records;
  std::string m_index_name;
};

} // namespace compose::pipeline
