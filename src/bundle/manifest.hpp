// The manifest of an offline bundle (manifest.json): every other member's path, size,
// SHA-256 and kind, the recipes it carries, and where downloads live inside it (paths derived
// from their public URLs, "mirror/https/host/path", so an unpacked bundle can be served as a
// mirror through transfer rewriting).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace compose::bundle {

inline constexpr int k_format_version = 1;
inline constexpr const char* k_manifest_path = "manifest.json";
// The producer's detached OpenPGP signature over manifest.json's exact bytes (`compose bundle
// --sign`). It cannot list itself, so it is the one member the manifest does not list; it
// comes right after the manifest.
inline constexpr const char* k_signature_path = "manifest.json.asc";

// What a member is. Downloads: "index" (APKINDEX.tar.gz, InRelease or Release),
// "index-signature" (Release.gpg), "packages-index" (a Packages file), "package", "file"
// (a URL-pinned [[files]] download). Local inputs: "recipe", "recipe-file" (a fragment or a
// file the recipe copies into the image), "lock", "trust" (keys/*.toml), "key".
bool known_kind(const std::string& kind);

struct Member {
  std::string path;   // in the bundle: relative, '/' separated, no "." or ".." parts
  std::string kind;
  std::uint64_t size = 0;
  std::string sha256; // lower-case hex
  std::string url;    // downloads: the public URL it stands for; empty otherwise
};

struct BundledRecipe {
  std::string name;   // the recipe's name
  std::string recipe; // bundle path of the top-level recipe file
  std::string lock;   // bundle path of its lock file
};

struct Manifest {
  int format = k_format_version;
  std::vector<BundledRecipe> recipes; // sorted by name
  std::vector<Member> members;        // sorted by path; manifest.json itself is not listed
  const Member* find(const std::string& path) const;
  const Member* find_url(const std::string& url) const;
};

// The manifest as JSON: sorted keys, two-space indent, final newline. Same manifest, same
// bytes; a reader rejects any other spelling of it.
std::string manifest_json(const Manifest& manifest);

// Parses and checks a manifest: format version, kinds, paths, digests, sorted unique paths,
// recipes naming listed members. Throws Error naming `where` and the JSON field.
Manifest parse_manifest(const std::string& text, const std::string& where);

// Checks a member path: relative, '/' separated, no empty, "." or ".." parts, no NUL or
// backslash. Throws Error naming the path.
void check_member_path(const std::string& path);

// Where a download is kept in a bundle: "http(s)://host/p" -> "mirror/http(s)/host/p",
// "file:///p" and "/p" -> "mirror/file/p" (empty parts dropped). Throws Error for other
// schemes, relative paths and "." or ".." parts.
std::string mirror_path_for_url(const std::string& url);

// The transfer rewrites (fetch::Options::mirrors) that send every http, https, file and
// plain-path URL to its copy in a bundle unpacked at `directory` (an absolute path).
std::vector<std::pair<std::string, std::string>>
bundle_mirrors(const std::filesystem::path& directory);

} // namespace compose::bundle
