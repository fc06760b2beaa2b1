// Index: the verified, parsed APKINDEX of one repository (one branch/repo/arch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "repo/apk/dependency.hpp"

namespace compose::verify {
class Keyring;
}

namespace compose::repo::apk {

struct Package {
  std::string checksum; // C: as written, e.g. "Q1…=" (SHA-1 of the control member)
  std::string name;     // P:
  std::string version;  // V:
  std::string arch;     // A:
  std::uint64_t size = 0;           // S: the .apk file size
  std::uint64_t installed_size = 0; // I:
  std::string description, url, license, origin, maintainer, commit; // T: U: L: o: m: c:
  std::int64_t build_time = 0;                                      // t:
  std::optional<int> provider_priority;                             // k:
  std::vector<Dependency> depends;                                  // D:
  std::vector<Dependency> provides;                                 // p:
  std::vector<Dependency> install_if;                               // i:
  bool uninstallable = false; // an unknown upper-case field was present
  std::size_t repository = 0; // position of its repository in the recipe order
  std::size_t position = 0;   // the record's place in its index (apk's last tie-break)
  std::string record;         // the record's lines as the index wrote them (lock files)
  std::string file_name() const { return name + "-" + version + ".apk"; }
};

struct Repository {
  std::string base_url;    // <mirror>/<branch>/<repo>, without trailing '/'
  std::string name;        // "main"
  std::string arch;        // "x86_64"
  std::string tag;         // "" or the @tag of a tagged repository
  std::string description; // DESCRIPTION member
  std::string signed_by;   // key file name that verified the index
  std::string index_sha256; // of the APKINDEX.tar.gz file as fetched
  std::string index_url() const { return base_url + "/" + arch + "/APKINDEX.tar.gz"; }
  // apk 2.14: base + "/" + A + "/" + P-V.apk (noarch packages carry the repository arch).
  std::string package_url(const Package& package) const
  {
    return base_url + "/" + package.arch + "/" + package.file_name();
  }
};

struct Index {
  Repository repository;
  std::vector<Package> packages; // in file order
  // Records left out (apk could not have installed them) or read with a caveat, each naming
  // the record and its line; the build prints and reports them.
  std::vector<std::string> problems;
};

// Verifies the signature of an APKINDEX.tar.gz against trusted keys only, then parses it.
// Throws Error naming `where` (the URL) for a missing/untrusted/bad signature, a corrupt
// container or a malformed record. `repository` gives base_url/name/arch/tag; the result
// fills description, signed_by and index_sha256.
Index load_index(const std::string& file_bytes, Repository repository,
                 const verify::Keyring& keys, const std::string& where);

// Parses APKINDEX text (already verified). Records carry `repository_position`. With
// `problems`, a record that cannot be read is left out and described there (an index stays
// usable, as it does for apk); without it, such a record throws Error (lock records).
std::vector<Package> parse_index_text(const std::string& text, const std::string& where,
                                      std::size_t repository_position,
                                      std::vector<std::string>* problems = nullptr);

} // namespace compose::repo::apk
