// Offline bundles: one deterministic tar that carries everything a locked build needs (signed
// indexes, signatures, keys, packages, pinned downloads, locks, recipes) plus manifest.json,
// which lists every other member's path, size, SHA-256 and kind. Downloads are stored under
// paths derived from their public URLs ("mirror/https/host/path"), so an unpacked bundle is
// a mirror that `--mirror`-style transfer rewriting can serve from.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "bundle/manifest.hpp"

namespace compose::bundle {

// Collects members, then writes the tar in one go on commit(): manifest.json first, the
// others sorted by path as bytes; every entry a regular file, mode 0644, owner 0:0 with no
// names, mtime 0. Not committed: nothing is left at the destination.
class BundleWriter {
public:
  explicit BundleWriter(std::filesystem::path destination);

  // Adds a member from a file (read at commit) or from bytes. Adding an equal member again
  // is a no-op; a different one at the same path throws Error naming both origins.
  void add_file(const std::string& path, const std::string& kind,
                const std::filesystem::path& source, const std::string& url = {});
  void add_bytes(const std::string& path, const std::string& kind, std::string bytes,
                 const std::string& url = {});
  void add_recipe(BundledRecipe recipe); // throws Error for a second recipe of that name

  // Signs manifest.json on commit: `signer` returns a detached signature of its bytes, stored
  // as manifest.json.asc (k_signature_path) right after it.
  void sign_with(std::function<std::string(const std::string& manifest)> signer);

  Manifest manifest() const;
  // Writes the tar under a temporary name, renames it onto the destination and returns its
  // SHA-256. Throws Error when a source file changed since it was added, or signing fails.
  std::string commit();

private:
  struct Source {
    Member member;
    std::filesystem::path file; // empty: bytes
    std::string bytes;
    std::string origin;         // for messages
  };
  void add(Source source);

  std::filesystem::path m_destination;
  std::map<std::string, Source> m_members; // by path
  std::map<std::string, BundledRecipe> m_recipes;
  std::function<std::string(const std::string&)> m_signer;
};

// Unpacks a bundle into `directory` (created; must not exist yet) and checks it against its
// manifest: manifest.json must come first and be canonical; manifest.json.asc, when present,
// second (it is unpacked beside the manifest, unchecked: whose signature counts is the
// caller's decision); every other member must be a regular file with a safe path, listed
// once, and have the listed size and SHA-256; every listed member must be present. Throws
// Error naming the member and the check that failed.
Manifest unpack_bundle(const std::filesystem::path& tar, const std::filesystem::path& directory);

} // namespace compose::bundle
