// Lock entries against signed index records; see locked_records.hpp.
#include "pipeline/locked_records.hpp"

#include "pipeline/debian_lock.hpp"
#include "util/error.hpp"

namespace compose::pipeline {

namespace {

const std::string k_hint =
    "the lock file was edited, or its signed index is not the one it was made from; write it "
    "again with `compose lock` (and review the differences)";

std::string package_name(const lock::LockedPackage& entry)
{
  return entry.name + " " + entry.version + " (" + entry.architecture + ")";
}

// Collects the fields that differ, to say them all at once.
class Differences {
public:
  void compare(const std::string& field, const std::string& locked, const std::string& signed_)
  {
    if (locked != signed_)
      m_text += (m_text.empty() ? "" : "; ") + field + " " + quote(locked) + " in the lock, " +
                quote(signed_) + " signed";
  }
  void compare_record(const std::string& locked, const std::string& signed_)
  {
    if (locked != signed_)
      m_text += std::string(m_text.empty() ? "" : "; ") + "the record text differs";
  }
  void raise(const lock::LockedPackage& entry, const std::string& index_name) const
  {
    if (!m_text.empty())
      throw Error("the lock's entry for " + package_name(entry) + " differs from the signed index " +
                      index_name + ": " + m_text,
                  "", k_hint);
  }

private:
  std::string m_text;
};

std::string digest_or_none(const lock::LockedPackage& entry, const std::string& name)
{
  const auto found = entry.digests.find(name);
  return found == entry.digests.end() ? std::string("none") : found->second;
}

[[noreturn]] void not_in_index(const lock::LockedPackage& entry, const std::string& index_name)
{
  throw Error("the lock names " + package_name(entry) + ", which the signed index " + index_name +
                  " does not hold",
              "", k_hint);
}

} // namespace

SignedApkRecords::SignedApkRecords(const repo::apk::Index& index, std::string index_name)
    : m_index_name(std::move(index_name))
{
  for (const repo::apk::Package& package : index.packages)
    m_records.emplace(std::make_pair(package.name, package.version), &package);
}

const repo::apk::Package& SignedApkRecords::find(const lock::LockedPackage& entry,
                                                 const lock::LockedRepository& repository) const
{
  const auto found = m_records.find({entry.name, entry.version});
  if (found == m_records.end())
    not_in_index(entry, m_index_name);
  const repo::apk::Package& record = *found->second;
  const std::string path = record.arch + "/" + record.file_name();
  Differences differences;
  differences.compare("architecture", entry.architecture, record.arch);
  differences.compare("size", std::to_string(entry.size), std::to_string(record.size));
  differences.compare("apk-identity", digest_or_none(entry, "apk-identity"), record.checksum);
  differences.compare("path", entry.path, path);
  differences.compare("url", entry.url, repository.url + "/" + path);
  // A locked build installs from the record (dependencies, database lines): every line of
  // it must be the signed one, not just the digests.
  differences.compare_record(entry.record, record.record);
  differences.raise(entry, m_index_name);
  return record;
}

SignedDebRecords::SignedDebRecords(const std::vector<repo::deb::Package>& packages,
                                   std::string index_name)
    : m_index_name(std::move(index_name))
{
  for (const repo::deb::Package& package : packages)
    m_records.emplace(std::make_tuple(package.name, package.version, package.architecture),
                      &package);
}

const repo::deb::Package& SignedDebRecords::find(const lock::LockedPackage& entry,
                                                 const lock::LockedRepository& repository) const
{
  const auto found = m_records.find({entry.name, entry.version, entry.architecture});
  if (found == m_records.end())
    not_in_index(entry, m_index_name);
  const repo::deb::Package& record = *found->second;
  Differences differences;
  differences.compare("size", std::to_string(entry.size), std::to_string(record.size));
  differences.compare("sha256", digest_or_none(entry, "sha256"), record.sha256);
  differences.compare("path", entry.path, record.filename);
  differences.compare("url", entry.url, repository.url + "/" + record.filename);
  differences.compare_record(entry.record, stanza_text(record.paragraph));
  differences.raise(entry, m_index_name);
  return record;
}

} // namespace compose::pipeline
