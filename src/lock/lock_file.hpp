// LockFile: everything a build resolved, pinned, so that it can be built again exactly: the
// recipe's digests, the release inputs, the epoch, the keys, every repository with the
// digests of the signed indexes it used, every package with its verified index record, and
// the URL-pinned files. Written as JSON with sorted keys (RECIPE.lock.json); the format is
// described in README.md ("Lock files").
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace compose::lock {

inline constexpr int k_format_version = 1;

struct RecipeFile {
  std::string path;   // relative to the recipe's directory, '/' separated
  std::string sha256; // of the file's bytes
};

struct LockedRecipe {
  std::string name, file; // file: the recipe's file name
  std::string digest;     // recipe::Recipe::digest (hex)
  std::vector<RecipeFile> files; // the recipe and its fragments, in load order
  std::string distribution, release, architecture;
};

struct LockedKey {
  std::string name;
  std::string kind;                      // "apk-rsa" | "openpgp"
  std::string sha256;                    // of the key file
  std::vector<std::string> fingerprints; // OpenPGP primary fingerprints pinned for it
};

// A signed or pinned file of a repository as it was fetched.
struct IndexFile {
  std::string url;
  std::string sha256;
  std::uint64_t size = 0; // 0 when the index did not say
};

// One repository as the build used it. Alpine: one per (mirror, branch, repo); Debian and
// Ubuntu: one per (mirror, suite, component).
struct LockedRepository {
  // The repository as the recipe names it (public URLs: --mirror only redirects transfers).
  // Alpine: <mirror>/<branch>/<repo>; Debian/Ubuntu: the archive root. A package's file is
  // url + "/" + path.
  std::string url;
  std::string branch, repo, tag;  // Alpine
  std::string suite, component;   // Debian/Ubuntu
  int priority = 500;             // Debian/Ubuntu
  IndexFile index;        // Alpine: APKINDEX.tar.gz; Debian: InRelease, or Release
  IndexFile signature;    // Debian: Release.gpg when the Release was signed detached
  IndexFile packages;     // Debian: the Packages file the Release pins
  std::string packages_path; // Debian: its path below dists/<suite>/, as the Release lists it
  std::string signed_by;  // the key (Alpine: file name; OpenPGP: fingerprint) that signed
  std::string description;
  // Verification overrides the locking run accepted for this repository ("URL: expired
  // Valid-Until accepted (--allow-expired-release)"); a locked build reports them again.
  std::vector<std::string> overrides;
};

struct LockedPackage {
  std::string name, version, architecture;
  std::size_t repository = 0; // position in LockFile::repositories
  std::string url;            // the repository's url + "/" + path
  std::string path;           // below the repository's url
  std::uint64_t size = 0;
  std::map<std::string, std::string> digests; // "sha256", "apk-identity" (index C:)
  std::string record; // the verified index record (APKINDEX lines; Packages stanza)
  std::string reason; // why the resolver chose it
};

struct LockedFile {
  std::string path; // in the image
  std::string url, sha256;
};

struct LockFile {
  int format = k_format_version;
  LockedRecipe recipe;
  std::string version, point_release; // the release inputs (${version}, ${point_release})
  std::int64_t epoch = 0;
  std::vector<std::string> world; // the requests as the resolver recorded them
  std::vector<LockedKey> keys;    // sorted by name
  std::vector<LockedRepository> repositories; // recipe order
  std::vector<LockedPackage> packages;        // install order
  std::vector<LockedFile> files;              // sorted by path
};

// The JSON text: sorted keys, two-space indent, final newline. Same lock, same bytes.
std::string lock_json(const LockFile& lock);

// Parses lock JSON. Throws Error naming `where` and the JSON path ("packages[3].version")
// for malformed JSON, a format version this compose does not read, missing or mistyped
// fields, a package naming a repository that does not exist, and digests that are not hex.
LockFile parse_lock(const std::string& text, const std::string& where);

LockFile read_lock(const std::filesystem::path& file); // throws Error naming the file
// Writes atomically: the file appears complete or not at all.
void write_lock(const std::filesystem::path& file, const LockFile& lock);

// Where the lock of a recipe lives: beside it, ".toml" replaced by ".lock.json"
// ("recipes/alpine-3.22-dockerd.toml" -> "recipes/alpine-3.22-dockerd.lock.json").
std::filesystem::path lock_path_for(const std::filesystem::path& recipe_file);

} // namespace compose::lock
