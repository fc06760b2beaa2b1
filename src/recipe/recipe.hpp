// Recipe: what to build, as read from a TOML file and its included fragments.
// Every value that came from a file remembers where (file:line:column) for messages.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace compose::recipe {

struct SourceLocation {
  std::string file; // as the user named it (relative paths stay relative)
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string str() const; // "recipes/web.toml:12:5"
};

enum class Distribution { alpine, debian, ubuntu };
const char* distribution_name(Distribution distribution);

struct RepositorySpec {
  std::string url;                     // mirror base, e.g. https://dl-cdn.alpinelinux.org/alpine
  // Further mirrors of `url` (`urls = [...]` after its first entry), tried in order when a
  // transfer fails or its bytes fail their checks; the image and reports name `url` only.
  std::vector<std::string> mirrors;
  // Ceiling for index downloads without a signed size (APKINDEX, InRelease, Release);
  // default: fetch/limits.hpp.
  std::optional<std::uint64_t> max_index_size;
  std::string branch;                  // alpine: "v3.22"
  std::vector<std::string> repos;      // alpine: "main", "community"
  std::vector<std::string> suites;     // deb: "jammy", "jammy-updates"
  std::vector<std::string> components; // deb: "main", "universe"
  std::vector<std::string> keys;       // trusted key names (files listed in keys/)
  std::string tag;                     // alpine "@tag" repositories: only for name@tag requests
  int priority = 500;                  // deb: apt-style pin priority
  SourceLocation where;
};

struct PackageSpec {
  std::string name;       // "docker", or a provide such as "cmd:sh"
  std::string constraint; // apk/deb relation text after the name (">=25.0"), empty = any
  SourceLocation where;
};

struct ImageConfig {
  std::vector<std::string> entrypoint, cmd;
  std::map<std::string, std::string> env;
  std::string working_dir, user, stop_signal;
  std::vector<std::string> exposed_ports; // "22/tcp"
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> tags;
  SourceLocation where; // of [image], or of the top-level table when absent
};

struct Ext4Spec {
  std::optional<std::uint64_t> size_bytes; // fixed size; otherwise content + headroom
  std::uint64_t headroom_bytes = 64ull << 20;
  std::uint32_t headroom_percent = 20;
  std::string label = "rootfs";
  std::vector<std::string> features; // empty = defaults
  SourceLocation where;              // of [outputs.ext4], else [outputs], else the top level
};

struct OutputSpec {
  std::vector<std::string> formats{"rootfs-tar"}; // "rootfs-tar", "oci", "ext4"
  std::string layer_compression = "gzip";         // "gzip" | "zstd"
  Ext4Spec ext4;
  SourceLocation where; // of [outputs], or of the top-level table when absent
};

// Overlays: what the recipe adds on top of the installed packages (docs/recipe.md,
// "Overlays"). Applied in this order: groups, users, ssh, supervisor, init, files, cleanup.
struct GroupSpec {
  std::string name;
  std::optional<std::uint32_t> gid; // default: the next free system id
  std::vector<std::string> members; // users added to it (after [[users]] exist)
  SourceLocation where;
};

struct UserSpec {
  std::string name;
  std::uint32_t uid = 1000;
  std::optional<std::uint32_t> gid;   // its own group of the same name; default = uid
  std::vector<std::string> groups;    // supplementary; must exist after packages and [[groups]]
  std::string home;                   // default /home/<name>
  std::string shell = "/bin/sh";
  std::vector<std::string> authorized_keys; // lines; the file exists (empty) either way
  SourceLocation where;
};

struct SshSpec {
  bool enabled = false;              // [ssh] present
  bool permit_root_login = false;
  bool password_authentication = false;
  SourceLocation where;
};

struct ProgramSpec {
  std::string name, command, user, directory;
  int priority = 100;
  bool autorestart = true;
  int startsecs = 1;
  std::map<std::string, std::string> environment;
  SourceLocation where;
};

struct SupervisorSpec {
  bool enabled = false;                         // [supervisor] present
  std::string config = "/etc/supervisord.conf"; // where supervisord reads it
  std::vector<ProgramSpec> programs;            // [[supervisor.programs]], in recipe order
  SourceLocation where;
};

struct InitSpec {
  bool enabled = false;                             // [init] present
  std::string path = "/usr/local/sbin/compose-init"; // the entrypoint script
  std::vector<std::string> runtime_dirs;            // made at every start (/run is a tmpfs)
  std::string data_label;                           // a disk with this label is mounted …
  std::string data_mount;                           // … here, when present
  std::vector<std::string> exec;                    // what it hands over to
  std::string hostname;
  SourceLocation where;
};

struct FileSpec {
  enum class Kind { source, content, url, symlink, directory };
  Kind kind = Kind::content;
  std::string path;             // in the image, normalised ("usr/local/bin/docker-compose")
  std::filesystem::path source; // Kind::source: resolved against the declaring file's directory
  std::string content;          // Kind::content
  std::string url, sha256;      // Kind::url: pinned download
  std::string target;           // Kind::symlink
  std::optional<std::uint32_t> mode;
  std::string owner = "root", group = "root"; // names in the image, or numeric ids
  SourceLocation where;
};

struct Overlays {
  std::vector<GroupSpec> groups;
  std::vector<UserSpec> users;
  SshSpec ssh;
  SupervisorSpec supervisor;
  InitSpec init;
  std::vector<FileSpec> files;
  std::vector<std::string> cleanup;      // globs of image paths to remove ("usr/share/man/*")
  std::vector<std::string> cleanup_keep; // globs that survive them ("usr/share/doc/*/copyright")
};

struct FileDigest {
  std::string path;   // relative to the top-level recipe's directory, '/' separated
  std::string sha256; // of the file's bytes (hex)
};

struct Recipe {
  std::filesystem::path file;                   // the top-level recipe
  std::vector<std::filesystem::path> fragments; // included files, in load order
  std::string digest;                           // sha256 over the recipe and fragment bytes
  std::vector<FileDigest> file_digests;         // each file read, in load order (lock files)
  SourceLocation where;                         // of the top-level table

  std::string name;
  Distribution distribution = Distribution::alpine;
  std::string release;      // "3.22", "jammy"
  std::string architecture; // distribution spelling: "x86_64", "amd64"
  std::vector<RepositorySpec> repositories;
  std::vector<PackageSpec> packages;
  // Debian/Ubuntu: the base set added to `packages` ("none", "essential": Essential: yes;
  // "required", "important", "standard": that Priority and above, as debootstrap/mmdebstrap
  // variants), whether Recommends are installed, and merged /usr (bin -> usr/bin, …).
  // Build inputs, usable as ${version} and ${point_release}: the product's release version
  // (tags, annotations) and the distribution's point release ("3.22.0"). The recipe may give
  // defaults (keys `version`, `point_release`); --release-version and --point-release win.
  std::string version = "0.0.0";
  std::string point_release; // default: release
  std::string base = "required";
  bool recommends = false;
  bool merged_usr = true;
  ImageConfig image;
  OutputSpec outputs;
  Overlays overlays;
};

// Reads and validates a recipe and the fragments it includes (format: docs/recipe.md).
// Throws Error whose where() is "file:line:column" for malformed TOML, unknown keys, wrong
// types, missing required values, bad values, unknown ${variables}, missing include files,
// include cycles and includes nested deeper than 16 files. Reads files only.
struct BuildInputs {
  std::optional<std::string> version, point_release;
};
Recipe load_recipe(const std::filesystem::path& file, const BuildInputs& inputs = {});

// The digest load_recipe() records: SHA-256 (hex) over, for each file in load order, its
// path relative to `top_directory` ('/' separated), a NUL, its length in decimal, a NUL
// and its bytes.
struct DigestInput {
  std::filesystem::path path; // absolute
  std::string bytes;
};
std::string recipe_digest(const std::filesystem::path& top_directory,
                          const std::vector<DigestInput>& files);

} // namespace compose::recipe
