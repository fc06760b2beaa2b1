// Test fixtures: Alpine packages and signed repositories in the exact real formats
// (apk.md §3–§5): three gzip members per .apk, PKGINFO with datahash, per-file SHA-1 PAX
// records, RSA signatures by a throwaway key, APKINDEX.tar.gz signed over its data member.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/hash.hpp"

namespace compose::testing {

// A throwaway RSA key; the same seed gives the same name (the key bits are random).
class RsaTestKey {
public:
  explicit RsaTestKey(const std::string& seed = "compose-test", int bits = 2048);
  ~RsaTestKey();
  RsaTestKey(const RsaTestKey&) = delete;
  RsaTestKey& operator=(const RsaTestKey&) = delete;

  const std::string& name() const { return m_name; } // "test-1a2b3c4d.rsa.pub"
  // Stand in under another file name (a real key's), for recipes that trust that name.
  void rename(std::string name) { m_name = std::move(name); }
  std::string public_pem() const;
  std::string sign(DigestAlgorithm algorithm, std::string_view data) const;
  void write_public(const std::filesystem::path& directory) const; // <dir>/<name>
  // The private key as PEM, and a key read back from it: a mirror regenerated later (a new
  // package version, re-signed) is signed by the same key.
  std::string private_pem() const;
  void load_private(const std::string& pem);

private:
  std::string m_name;
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

struct ApkFile {
  enum class Type { regular, directory, symlink, hardlink, fifo, char_device };
  std::string path; // as stored in the tar, e.g. "usr/bin/hello"
  Type type = Type::regular;
  std::string content; // regular: bytes; symlink/hardlink: target
  std::uint32_t mode = 0644;
  std::string uname = "root", gname = "root";
  std::uint32_t uid = 0, gid = 0; // the numeric header ids, apk's fallback for unknown names
  std::uint32_t devmajor = 0, devminor = 0;
  std::map<std::string, std::string> xattrs;
};

ApkFile apk_file(std::string path, std::string content, std::uint32_t mode = 0644);
ApkFile apk_dir(std::string path, std::uint32_t mode = 0755);
ApkFile apk_symlink(std::string path, std::string target);
ApkFile apk_hardlink(std::string path, std::string target);

struct ApkSpec {
  std::string name, version, arch = "x86_64";
  std::string description = "test package", url = "https://example.org", license = "MIT";
  std::string origin, maintainer = "Test <test@example.org>", commit = "0000000000000000000000000000000000000000";
  std::int64_t builddate = 1700000000;
  std::optional<int> provider_priority;
  std::vector<std::string> depends, provides, install_if, replaces, triggers;
  std::map<std::string, std::string> scripts; // ".pre-install" -> script text
  std::vector<ApkFile> files;
  bool corrupt_file_checksum = false; // for bad-input fixtures: one wrong per-file SHA-1
  // The package's own signature: by the repository key (as abuild signs), none, or made by
  // another key under the repository key's name (it names a trusted key but does not verify).
  enum class Signing { repository_key, none, wrong_key };
  Signing signing = Signing::repository_key;
};

struct ApkOptions {
  DigestAlgorithm signature = DigestAlgorithm::sha1; // .SIGN.RSA (sha1) or RSA256
  bool omit_datahash = false;
  bool wrong_file_checksum = false; // first regular file's APK-TOOLS.checksum.SHA1 is wrong
};

struct BuiltApk {
  std::string bytes;
  std::size_t control_offset = 0, data_offset = 0; // member boundaries in bytes
  std::string checksum;                            // index C: ("Q1" + base64 SHA-1)
  std::string datahash;
};

BuiltApk make_apk(const ApkSpec& spec, const RsaTestKey& key, const ApkOptions& options = {});

// The APKINDEX record of a package, fields in apk's order.
std::string index_record(const ApkSpec& spec, const BuiltApk& apk);

struct IndexOptions {
  bool unsigned_index = false;
  DigestAlgorithm signature = DigestAlgorithm::sha1;
  std::string description = "v3.22.0-test";
};

std::string make_apkindex(const std::string& records, const RsaTestKey& key,
                          const IndexOptions& options = {});

// Writes <repo_dir>/<arch>/APKINDEX.tar.gz and every <name>-<version>.apk; returns the
// packages as built, in spec order.
std::vector<BuiltApk> write_apk_repo(const std::filesystem::path& repo_dir,
                                     const std::string& arch, const std::vector<ApkSpec>& specs,
                                     const RsaTestKey& key, const IndexOptions& options = {});

} // namespace compose::testing
