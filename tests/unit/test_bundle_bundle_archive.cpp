// Bundle tars: the writer's deterministic layout (manifest first, sorted members, fixed
// owners and times), a round trip through unpack_bundle, and damaged or hostile tars as a
// table, each rejected with the member and the check named and no file left for it.
#include <doctest/doctest.h>

#include <archive.h>
#include <archive_entry.h>

#include <fstream>

#include "bundle/bundle_archive.hpp"
#include "tar_builder.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/handles.hpp"
#include "util/hash.hpp"

namespace fs = std::filesystem;
using compose::Error;
using namespace compose::bundle;

namespace {

void write_text(const fs::path& path, const std::string& text)
{
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A small valid bundle: a recipe, its lock, a package from a file, a pinned download.
std::string write_sample(const fs::path& directory, const fs::path& tar)
{
  write_text(directory / "busybox.apk", "package bytes");
  BundleWriter writer(tar);
  writer.add_bytes("recipes/web.toml", "recipe", "name = \"web\"\n");
  writer.add_bytes("recipes/web.lock.json", "lock", "{}\n");
  writer.add_file("mirror/file/srv/m/busybox.apk", "package", directory / "busybox.apk",
                  "file:///srv/m/busybox.apk");
  writer.add_bytes("mirror/https/example.org/tool", "file", "#!/bin/sh\n",
                   "https://example.org/tool");
  writer.add_recipe({"web", "recipes/web.toml", "recipes/web.lock.json"});
  return writer.commit();
}

struct Listed {
  std::string path;
  int uid, gid;
  unsigned mode;
  long mtime;
  bool has_names;
};

bool has_text(const char* text)
{
  return text != nullptr && *text != '\0';
}

std::vector<Listed> list_tar(const fs::path& tar)
{
  compose::ArchiveReader reader(archive_read_new());
  archive_read_support_format_tar(reader.get());
  REQUIRE(archive_read_open_filename(reader.get(), tar.c_str(), 10240) == ARCHIVE_OK);
  std::vector<Listed> entries;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(reader.get(), &entry) == ARCHIVE_OK)
    entries.push_back({archive_entry_pathname(entry), static_cast<int>(archive_entry_uid(entry)),
                       static_cast<int>(archive_entry_gid(entry)), archive_entry_mode(entry),
                       static_cast<long>(archive_entry_mtime(entry)),
                       has_text(archive_entry_uname(entry)) || has_text(archive_entry_gname(entry))});
  return entries;
}

// A tar from hand-made items, the first one a manifest listing `listed`.
void hand_made_tar(const fs::path& tar, const Manifest& listed,
                   const std::vector<compose::testing::TarItem>& items, bool manifest_first = true)
{
  std::string bytes;
  if (manifest_first)
    bytes += compose::testing::tar_item(compose::testing::file_item("manifest.json",
                                                                    manifest_json(listed)));
  for (const compose::testing::TarItem& item : items)
    bytes += compose::testing::tar_item(item);
  bytes += compose::testing::tar_end(bytes.size());
  write_text(tar, bytes);
}

Member member_for(const std::string& path, const std::string& kind, const std::string& bytes)
{
  return {path, kind, bytes.size(), compose::sha256_hex(bytes), ""};
}

} // namespace

TEST_SUITE("bundle::bundle_archive")
{
  TEST_CASE("the writer puts the manifest first, then sorted members, with fixed metadata")
  {
    const compose::TempPath dir = compose::make_temp_directory("bundle-test");
    const fs::path tar = dir.path() / "b.tar";
    const std::string digest = write_sample(dir.path(), tar);
    CHECK(digest == compose::sha256_file_hex(tar));

    const std::vector<Listed> entries = list_tar(tar);
    REQUIRE(entries.size() == 5);
    CHECK(entries[0].path == "manifest.json");
    CHECK(entries[1].path == "mirror/file/srv/m/busybox.apk");
    CHECK(entries[2].path == "mirror/https/example.org/tool");
    CHECK(entries[3].path == "recipes/web.lock.json");
    CHECK(entries[4].path == "recipes/web.toml");
    for (const Listed& entry : entries) {
      CHECK(entry.uid == 0);
      CHECK(entry.gid == 0);
      CHECK(entry.mode == (AE_IFREG | 0644));
      CHECK(entry.mtime == 0);
      CHECK_FALSE(entry.has_names);
    }

    // The same members give the same bytes, whatever order they were added in.
    const fs::path again = dir.path() / "again.tar";
    BundleWriter writer(again);
    writer.add_recipe({"web", "recipes/web.toml", "recipes/web.lock.json"});
    writer.add_bytes("mirror/https/example.org/tool", "file", "#!/bin/sh\n",
                     "https://example.org/tool");
    writer.add_file("mirror/file/srv/m/busybox.apk", "package", dir.path() / "busybox.apk",
                    "file:///srv/m/busybox.apk");
    writer.add_bytes("recipes/web.lock.json", "lock", "{}\n");
    writer.add_bytes("recipes/web.toml", "recipe", "name = \"web\"\n");
    writer.add_bytes("recipes/web.toml", "recipe", "name = \"web\"\n"); // equal: a no-op
    CHECK(writer.commit() == digest);
  }

  TEST_CASE("the writer refuses conflicting members and leaves nothing when not committed")
  {
    const compose::TempPath dir = compose::make_temp_directory("bundle-test");
    const fs::path tar = dir.path() / "b.tar";
    {
      BundleWriter writer(tar);
      writer.add_bytes("recipes/a.toml", "recipe", "one");
      CHECK_THROWS_WITH_AS(writer.add_bytes("recipes/a.toml", "recipe", "two"),
                           doctest::Contains("two different files for bundle member 'recipes/a.toml'"),
                           Error);
      CHECK_THROWS_WITH_AS(writer.add_bytes("manifest.json", "recipe", "x"),
                           doctest::Contains("cannot be called 'manifest.json'"), Error);
      CHECK_THROWS_WITH_AS(writer.add_bytes("keys/k", "secret", "x"),
                           doctest::Contains("unknown bundle member kind 'secret'"), Error);
      CHECK_THROWS_WITH_AS(writer.add_bytes("../k", "key", "x"), doctest::Contains("has a '..' part"),
                           Error);
      writer.add_recipe({"a", "recipes/a.toml", "recipes/a.lock.json"});
      CHECK_THROWS_WITH_AS(writer.add_recipe({"a", "recipes/b.toml", "recipes/b.lock.json"}),
                           doctest::Contains("two bundled recipes are called 'a'"), Error);
    }
    CHECK_FALSE(fs::exists(tar));
    CHECK(fs::is_empty(dir.path()));
  }

  TEST_CASE("a written bundle unpacks with every member checked")
  {
    const compose::TempPath dir = compose::make_temp_directory("bundle-test");
    const fs::path tar = dir.path() / "b.tar";
    write_sample(dir.path(), tar);
    const Manifest manifest = unpack_bundle(tar, dir.path() / "unpacked");
    REQUIRE(manifest.recipes.size() == 1);
    CHECK(manifest.recipes[0].lock == "recipes/web.lock.json");
    CHECK(compose::read_file(dir.path() / "unpacked/mirror/file/srv/m/busybox.apk") ==
          "package bytes");
    CHECK(compose::read_file(dir.path() / "unpacked/manifest.json") == manifest_json(manifest));
    CHECK_THROWS_WITH_AS(unpack_bundle(tar, dir.path() / "unpacked"), doctest::Contains("it exists"),
                         Error);
  }

  TEST_CASE("a signed bundle: the signature right after the manifest, over its exact bytes")
  {
    const compose::TempPath dir = compose::make_temp_directory("bundle-test");
    const fs::path unsigned_tar = dir.path() / "unsigned.tar";
    write_sample(dir.path(), unsigned_tar);
    const fs::path tar = dir.path() / "signed.tar";
    BundleWriter writer(tar);
    writer.add_bytes("recipes/web.toml", "recipe", "name = \"web\"\n");
    writer.add_bytes("recipes/web.lock.json", "lock", "{}\n");
    writer.add_recipe({"web", "recipes/web.toml", "recipes/web.lock.json"});
    std::string signed_text;
    writer.sign_with([&](const std::string& manifest) {
      signed_text = manifest;
      return std::string("-----BEGIN PGP SIGNATURE-----\n");
    });
    writer.commit();
    const std::vector<Listed> listed = list_tar(tar);
    REQUIRE(listed.size() == 4);
    CHECK(listed[0].path == "manifest.json");
    CHECK(listed[1].path == "manifest.json.asc");
    const Manifest manifest = unpack_bundle(tar, dir.path() / "unpacked");
    CHECK(compose::read_file(dir.path() / "unpacked/manifest.json") == signed_text);
    CHECK(compose::read_file(dir.path() / "unpacked/manifest.json.asc") ==
          "-----BEGIN PGP SIGNATURE-----\n");
    CHECK(manifest.find("manifest.json.asc") == nullptr);
    // An unsigned bundle unpacks with no signature file.
    unpack_bundle(unsigned_tar, dir.path() / "unpacked-unsigned");
    CHECK_FALSE(fs::exists(dir.path() / "unpacked-unsigned/manifest.json.asc"));
    // The signature cannot be smuggled in as a member either.
    BundleWriter bad(dir.path() / "bad.tar");
    CHECK_THROWS_WITH_AS(bad.add_bytes("manifest.json.asc", "file", "x"),
                         doctest::Contains("cannot be called 'manifest.json.asc'"), Error);
  }

  TEST_CASE("damaged and hostile bundles are rejected naming the member")
  {
    using compose::testing::file_item;
    using compose::testing::TarItem;
    const std::string lock = "{}\n";
    const std::string recipe = "name = \"web\"\n";
    Manifest good;
    good.recipes.push_back({"web", "recipes/web.toml", "recipes/web.lock.json"});
    good.members = {member_for("recipes/web.lock.json", "lock", lock),
                    member_for("recipes/web.toml", "recipe", recipe)};

    struct Case {
      const char* name;
      std::vector<TarItem> items;
      const char* message;
      bool manifest_first = true;
    };
    TarItem symlink = file_item("recipes/web.toml", "");
    symlink.type = '2';
    symlink.link = "/etc/passwd";
    const std::vector<Case> cases = {
        {"a flipped byte", {file_item("recipes/web.lock.json", "{]\n"), file_item("recipes/web.toml", recipe)},
         "bundle member 'recipes/web.lock.json' (lock): sha256 is "},
        {"a longer member", {file_item("recipes/web.lock.json", "{}\n\n"), file_item("recipes/web.toml", recipe)},
         "bundle member 'recipes/web.lock.json' (lock): size is 4 bytes, manifest.json lists 3"},
        {"a missing member", {file_item("recipes/web.lock.json", lock)},
         "bundle member 'recipes/web.toml' (recipe): is listed in manifest.json but missing"},
        {"an unlisted member",
         {file_item("recipes/web.lock.json", lock), file_item("recipes/web.toml", recipe),
          file_item("recipes/extra", "x")},
         "bundle member 'recipes/extra': is not listed in manifest.json"},
        {"a member twice",
         {file_item("recipes/web.lock.json", lock), file_item("recipes/web.lock.json", lock),
          file_item("recipes/web.toml", recipe)},
         "bundle member 'recipes/web.lock.json' (lock): appears twice"},
        {"a symbolic link", {file_item("recipes/web.lock.json", lock), symlink},
         "bundle member 'recipes/web.toml': is not a regular file"},
        {"a path out of the bundle",
         {file_item("recipes/web.lock.json", lock), file_item("../escape", "x")},
         "bundle member '../escape': bundle member path '../escape' has a '..' part"},
        {"a signature after the members",
         {file_item("recipes/web.lock.json", lock), file_item("recipes/web.toml", recipe),
          file_item("manifest.json.asc", "signature")},
         "bundle member 'manifest.json.asc': must come right after 'manifest.json', once"},
        {"two signatures",
         {file_item("manifest.json.asc", "a"), file_item("manifest.json.asc", "b"),
          file_item("recipes/web.lock.json", lock), file_item("recipes/web.toml", recipe)},
         "bundle member 'manifest.json.asc': must come right after 'manifest.json', once"},
        {"no manifest first", {file_item("recipes/web.toml", recipe)},
         "bundle member 'recipes/web.toml': comes first, but a bundle starts with 'manifest.json'",
         false},
        {"an empty tar", {}, "bundle member 'manifest.json': is missing", false},
    };
    for (const Case& c : cases) {
      SUBCASE(c.name)
      {
        const compose::TempPath dir = compose::make_temp_directory("bundle-test");
        const fs::path tar = dir.path() / "b.tar";
        hand_made_tar(tar, good, c.items, c.manifest_first);
        CHECK_THROWS_WITH_AS(unpack_bundle(tar, dir.path() / "unpacked"),
                             doctest::Contains(c.message), Error);
        CHECK_FALSE(fs::exists(dir.path() / "escape"));
      }
    }

    SUBCASE("a manifest that does not parse names manifest.json")
    {
      const compose::TempPath dir = compose::make_temp_directory("bundle-test");
      const fs::path tar = dir.path() / "b.tar";
      std::string bytes = compose::testing::tar_item(file_item("manifest.json", "{\"format\": 1}"));
      bytes += compose::testing::tar_end(bytes.size());
      write_text(tar, bytes);
      CHECK_THROWS_WITH_AS(unpack_bundle(tar, dir.path() / "unpacked"),
                           doctest::Contains("bundle manifest: the manifest has no 'members'"),
                           Error);
    }
    SUBCASE("a truncated tar")
    {
      const compose::TempPath dir = compose::make_temp_directory("bundle-test");
      const fs::path tar = dir.path() / "b.tar";
      write_sample(dir.path(), tar);
      fs::resize_file(tar, 1024 + 512 + 100);
      CHECK_THROWS_WITH_AS(unpack_bundle(tar, dir.path() / "unpacked"), doctest::Contains("bundle"),
                           Error);
    }
    SUBCASE("no such file")
    {
      CHECK_THROWS_WITH_AS(unpack_bundle("/nonexistent/b.tar", "/nonexistent/u"),
                           doctest::Contains("no bundle file '/nonexistent/b.tar'"), Error);
    }
  }
}
