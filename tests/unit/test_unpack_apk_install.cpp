// install(): verified .apk files into the Tree, the apk database, script effects, and the
// refusals that must leave the tree as it was.
#include <doctest/doctest.h>

#include <functional>
#include <map>

#include "apk_builder.hpp"
#include "repo/apk/index.hpp"
#include "stage/tree.hpp"
#include "test_paths.hpp"
#include "unpack/apk/package_reader.hpp"
#include "unpack/apk_install.hpp"
#include "unpack/tar_reader.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/gzip_members.hpp"

using compose::Error;
using compose::stage::FileType;
using compose::stage::Tree;
using namespace compose::unpack::apk;

namespace {

// Package descriptions for these tests, turned into real .apk bytes by the fixture builder.
struct Item {
  std::string path;
  char type = '0'; // '0' file, '1' hard link, '2' symlink, '5' dir, '6' fifo
  std::string data; // content, link target
  std::uint32_t mode = 0644;
  std::string uname = "root", gname = "root";
  std::map<std::string, std::string> xattrs;
};

struct Spec {
  std::string name;
  std::string version = "1.0-r0";
  std::string origin;
  std::vector<Item> items;
  std::map<std::string, std::string> scripts;
  std::vector<std::string> replaces;
  std::vector<std::string> triggers;
  bool datahash = true;
  bool wrong_file_checksum = false;
};

struct Built {
  compose::repo::apk::Package record; // parsed from the APKINDEX record the builder writes
  std::string bytes;
};

const compose::testing::RsaTestKey& test_key()
{
  static const compose::testing::RsaTestKey key("apk-install");
  return key;
}

Built build(const Spec& spec)
{
  using compose::testing::ApkFile;
  compose::testing::ApkSpec apk;
  apk.name = spec.name;
  apk.version = spec.version;
  apk.origin = spec.origin;
  apk.replaces = spec.replaces;
  apk.triggers = spec.triggers;
  apk.scripts = spec.scripts;
  for (const Item& item : spec.items) {
    ApkFile file;
    file.path = item.path;
    file.type = item.type == '1'   ? ApkFile::Type::hardlink
                : item.type == '2' ? ApkFile::Type::symlink
                : item.type == '5' ? ApkFile::Type::directory
                : item.type == '6' ? ApkFile::Type::fifo
                                   : ApkFile::Type::regular;
    file.content = item.data;
    file.mode = item.mode;
    file.uname = item.uname;
    file.gname = item.gname;
    file.xattrs = item.xattrs;
    apk.files.push_back(file);
  }
  compose::testing::ApkOptions options;
  options.omit_datahash = !spec.datahash;
  options.wrong_file_checksum = spec.wrong_file_checksum;
  const compose::testing::BuiltApk built = compose::testing::make_apk(apk, test_key(), options);
  const std::vector<compose::repo::apk::Package> records = compose::repo::apk::parse_index_text(
      compose::testing::index_record(apk, built), "APKINDEX", 0);
  REQUIRE(records.size() == 1);
  return Built{records[0], built.bytes};
}

Item dir(std::string path, std::uint32_t mode = 0755, std::string user = "root",
         std::string group = "root")
{
  return Item{std::move(path), '5', "", mode, std::move(user), std::move(group), {}};
}

Item file(std::string path, std::string data, std::uint32_t mode = 0644,
          std::string user = "root", std::string group = "root")
{
  return Item{std::move(path), '0', std::move(data), mode, std::move(user), std::move(group), {}};
}

Item symlink_item(std::string path, std::string target)
{
  return Item{std::move(path), '2', std::move(target), 0777, "root", "root", {}};
}

Item hard(std::string path, std::string target, std::uint32_t mode = 0755)
{
  return Item{std::move(path), '1', std::move(target), mode, "root", "root", {}};
}

Spec base_data()
{
  Spec spec;
  spec.name = "base-data";
  spec.origin = "base";
  spec.items = {dir("etc"),
                file("etc/.keep_etc", ""),
                file("etc/group", "root:x:0:root\nshadow:x:42:\nnogroup:x:65533:\n"),
                file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                                   "nobody:x:65534:65534:nobody:/:/sbin/nologin\n"),
                file("etc/shadow", "root:*::0:::::\n", 0640, "root", "shadow"),
                dir("var"),
                dir("var/lib")};
  return spec;
}

Spec hello()
{
  Spec spec;
  spec.name = "hello";
  spec.origin = "hello";
  Item ping = file("usr/bin/ping", "ping binary", 04755);
  ping.xattrs["security.capability"] = std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8);
  spec.items = {dir("usr"),
                dir("usr/bin"),
                file("usr/bin/hello", "hello binary", 0755),
                hard("usr/bin/hello-hard", "usr/bin/hello", 0700),
                symlink_item("usr/bin/hi", "hello"),
                ping,
                dir("var/lib/hello", 02770, "hello", "hello"),
                file("var/lib/hello/state", "x", 0600, "hello", "hello")};
  spec.scripts[".pre-install"] = "#!/bin/sh\naddgroup -S hello 2>/dev/null\n"
                                 "adduser -S -D -H -h /var/lib/hello -s /sbin/nologin -G hello "
                                 "-g hello hello 2>/dev/null\nexit 0\n";
  spec.scripts[".post-install"] = "#!/bin/sh\nrc-update add hello default\n";
  spec.scripts[".pre-upgrade"] = "#!/bin/sh\nexit 0\n";
  return spec;
}

Spec busybox()
{
  Spec spec;
  spec.name = "busybox";
  spec.version = "1.36.1-r15";
  spec.origin = "busybox";
  spec.items = {dir("bin"),
                file("bin/busybox", "busybox binary", 0755),
                dir("etc"),
                dir("etc/busybox-paths.d"),
                file("etc/busybox-paths.d/busybox",
                     "/bin/busybox\n/bin/ls\n/usr/bin/hello\n/usr/sbin/crond\n")};
  spec.scripts[".post-install"] = "#!/bin/busybox sh\n/bin/busybox --install -s\n";
  spec.scripts[".trigger"] = "#!/bin/sh\nfor i in \"$@\"; do :; done\n/bin/busybox --install -s\n";
  spec.triggers = {"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/lib/modules/*"};
  return spec;
}

struct Fixture {
  compose::TempPath directory = compose::make_temp_directory("compose-apk-install");
  std::vector<Built> built;
  std::vector<PackageFile> files;

  void add(const Spec& spec)
  {
    built.push_back(build(spec));
  }
  // Writes the .apk files and points PackageFiles at them (after all add()s).
  std::vector<PackageFile> package_files()
  {
    files.clear();
    for (const Built& package : built) {
      const auto path = directory.path() / package.record.file_name();
      compose::write_file_atomic(path, package.bytes);
      files.push_back(PackageFile{&package.record, nullptr, path});
    }
    return files;
  }
};

InstallOptions options()
{
  InstallOptions options;
  options.world = {"hello", "busybox", "base-data"};
  options.repositories = {"https://mirror.example/alpine/v3.19/main"};
  options.architecture = "x86_64";
  options.keys = {{"test.rsa.pub", "-----BEGIN PUBLIC KEY-----\n"}};
  options.epoch = 1700000000;
  return options;
}

std::string text_of(const Tree& tree, const std::string& path)
{
  const auto inode = tree.find(path);
  REQUIRE_MESSAGE(inode, path);
  return inode->content.read();
}

// Every name with its metadata, to prove a refused package changed nothing.
std::string snapshot(const Tree& tree)
{
  std::string out;
  tree.walk([&](const Tree::Visit& visit) {
    out += visit.path + " " + std::to_string(static_cast<int>(visit.inode.type)) + " " +
           std::to_string(visit.inode.mode) + " " + std::to_string(visit.inode.uid) + ":" +
           std::to_string(visit.inode.gid) + " " + visit.inode.content.sha256() + " " +
           visit.inode.target + "\n";
  });
  return out;
}

// The snapshot without what install() writes after the last package (database, initdb
// extras), which a failed run never reaches.
std::string package_files_snapshot(const Tree& tree)
{
  std::string out;
  for (const std::string& line : [&] {
         std::vector<std::string> lines;
         std::string all = snapshot(tree);
         std::size_t start = 0;
         while (start < all.size()) {
           const std::size_t end = all.find('\n', start);
           lines.push_back(all.substr(start, end - start));
           start = end + 1;
         }
         return lines;
       }()) {
    static const char* const k_after_packages[] = {"lib", "etc/apk", "dev", "tmp", "var/cache"};
    bool skip = false;
    for (const char* prefix : k_after_packages)
      skip = skip || line.starts_with(std::string(prefix) + " ") ||
             line.starts_with(std::string(prefix) + "/");
    if (!skip)
      out += line + "\n";
  }
  return out;
}

std::string golden(const std::string& name)
{
  return compose::read_file(compose::testing::source_dir() / "tests/golden/apk-installed" / name);
}

// Goldens name checksums and sizes by package ("{C:hello}") because they depend on the
// compressor; everything else is compared byte for byte.
std::string with_placeholders(std::string text, const std::vector<Built>& built)
{
  for (const Built& package : built) {
    const auto replace = [&](const std::string& value, const std::string& placeholder) {
      for (std::size_t at = text.find(value); at != std::string::npos;
           at = text.find(value, at + placeholder.size()))
        text.replace(at, value.size(), placeholder);
    };
    replace("C:" + package.record.checksum + "\n", "C:{C:" + package.record.name + "}\n");
    replace("S:" + std::to_string(package.record.size) + "\n",
            "S:{S:" + package.record.name + "}\n");
  }
  return text;
}

std::pair<std::size_t, std::size_t> control_member(const std::string& bytes)
{
  compose::GzipMember first = compose::inflate_member(bytes, 0, "test");
  bool signature = false;
  compose::unpack::read_tar(first.inflated, "test", [&](const compose::unpack::TarEntry& entry) {
    signature = signature || entry.name.starts_with(".SIGN.");
  });
  if (!signature)
    return {first.offset, first.size};
  const compose::GzipMember control =
      compose::inflate_member(bytes, first.offset + first.size, "test");
  return {control.offset, control.size};
}

} // namespace

TEST_SUITE("unpack::apk::install")
{
  TEST_CASE("a package set installs with modes, owners, xattrs, links and script effects")
  {
    Fixture fixture;
    fixture.add(base_data());
    fixture.add(hello());
    fixture.add(busybox());
    Tree tree;
    const InstallReport report = install(fixture.package_files(), options(), tree);

    // Owners resolve against the staged accounts: shadow from base-data's own group file,
    // hello from the pre-install script.
    CHECK(tree.find("etc/shadow")->gid == 42);
    CHECK(tree.find("etc/shadow")->mode == 0640);
    CHECK_FALSE(tree.exists("etc/.keep_etc"));
    CHECK(text_of(tree, "etc/passwd").ends_with(
        "hello:x:100:100:hello:/var/lib/hello:/sbin/nologin\n"));
    CHECK(text_of(tree, "etc/group").ends_with("hello:x:100:hello\n"));
    const auto state = tree.find("var/lib/hello");
    CHECK(state->mode == 02770);
    CHECK(state->uid == 100);
    CHECK(state->gid == 100);
    CHECK(tree.find("var/lib/hello/state")->uid == 100);

    const auto binary = tree.find("usr/bin/hello");
    CHECK(binary->mode == 0755);
    CHECK(binary->content.read() == "hello binary");
    CHECK(tree.find("usr/bin/hello-hard") == binary);
    CHECK(tree.find("usr/bin/hi")->type == FileType::symlink);
    CHECK(tree.find("usr/bin/hi")->target == "hello");
    CHECK(tree.find("usr/bin/ping")->mode == 04755);
    CHECK(tree.find("usr/bin/ping")->xattrs.at("security.capability").size() == 8);

    // Busybox applet links: real binaries win, missing parents appear.
    CHECK(tree.find("bin/ls")->target == "/bin/busybox");
    CHECK(tree.find("usr/sbin/crond")->target == "/bin/busybox");
    CHECK(tree.find("usr/bin/hello")->type == FileType::regular);

    // apk add --initdb extras and configuration.
    CHECK(tree.find("tmp")->mode == 01777);
    CHECK(tree.find("dev/null")->type == FileType::char_device);
    CHECK(tree.find("dev/null")->rdev_minor == 3);
    CHECK(tree.find("dev/console")->mode == 0600);
    CHECK(tree.find("var/cache/misc"));
    CHECK(tree.find("var/cache/apk"));
    CHECK(tree.find("lib/apk/exec")->mode == 0700); // apk made it to run the scripts from
    CHECK(!tree.find("etc/apk/protected_paths.d"));  // the apk-tools package ships it
    CHECK(tree.find("lib/apk/db/lock")->mode == 0600);
    CHECK(text_of(tree, "lib/apk/db/lock").empty());
    CHECK(text_of(tree, "etc/apk/world") == "base-data\nbusybox\nhello\n");
    CHECK(text_of(tree, "etc/apk/arch") == "x86_64\n");
    CHECK(text_of(tree, "etc/apk/repositories") == "https://mirror.example/alpine/v3.19/main\n");
    CHECK(text_of(tree, "etc/apk/keys/test.rsa.pub") == "-----BEGIN PUBLIC KEY-----\n");

    // Script report: every script apk would have run on a fresh install.
    REQUIRE(report.scripts.size() == 4);
    CHECK(report.scripts[0].package == "hello-1.0-r0");
    CHECK(report.scripts[0].script == ".pre-install");
    CHECK(report.scripts[0].status == "reproduced");
    CHECK(report.scripts[1].script == ".post-install");
    CHECK(report.scripts[1].status == "not reproduced");
    CHECK(report.scripts[1].detail == "rc-update add hello default");
    CHECK(report.scripts[2].package == "busybox-1.36.1-r15");
    CHECK(report.scripts[2].status == "reproduced");
    CHECK(report.scripts[3].script == ".trigger");
    CHECK(report.scripts[3].status == "reproduced");
    CHECK(report.warnings ==
          std::vector<std::string>{"hello-1.0-r0 .post-install not run: rc-update add hello default"});

    // The installed database, exactly.
    CHECK(with_placeholders(text_of(tree, "lib/apk/db/installed"), fixture.built) ==
          golden("install-basic.txt"));
    const Built& busybox_package = fixture.built[2];
    CHECK(text_of(tree, "lib/apk/db/triggers") ==
          busybox_package.record.checksum + " /bin /usr/bin /sbin /usr/sbin /lib/modules/*\n");

    // scripts.tar: install order, action order, GNU headers, root, build time.
    std::vector<std::string> names;
    const std::string scripts = text_of(tree, "lib/apk/db/scripts.tar");
    CHECK(scripts.size() % 512 == 0);
    compose::unpack::read_tar(scripts, "scripts.tar", [&](const compose::unpack::TarEntry& entry) {
      names.push_back(entry.name);
      CHECK(entry.mode == 0755);
      CHECK(entry.uname == "root");
      CHECK(entry.gname == "root");
      CHECK(entry.uid == 0);
    });
    const std::string hello_prefix = "hello-1.0-r0." + fixture.built[1].record.checksum;
    const std::string busybox_prefix = "busybox-1.36.1-r15." + busybox_package.record.checksum;
    CHECK(names == std::vector<std::string>{hello_prefix + ".pre-install",
                                            hello_prefix + ".post-install",
                                            hello_prefix + ".pre-upgrade",
                                            busybox_prefix + ".post-install",
                                            busybox_prefix + ".trigger"});
    CHECK(scripts.substr(257, 8) == std::string("ustar  \0", 8));
  }

  TEST_CASE("files move between packages of one origin or with replaces; the db follows")
  {
    Fixture fixture;
    fixture.add(base_data());
    Spec sibling;
    sibling.name = "base-extra";
    sibling.origin = "base";
    sibling.items = {dir("etc"), file("etc/passwd", "root:x:0:0:root:/root:/bin/ash\n")};
    fixture.add(sibling);
    Spec replacer;
    replacer.name = "shadow-fix";
    replacer.origin = "other";
    replacer.replaces = {"base-data"};
    replacer.items = {dir("etc"), file("etc/shadow", "root:!::0:::::\n", 0600)};
    fixture.add(replacer);
    Tree tree;
    install(fixture.package_files(), options(), tree);
    CHECK(text_of(tree, "etc/passwd") == "root:x:0:0:root:/root:/bin/ash\n");
    CHECK(text_of(tree, "etc/shadow") == "root:!::0:::::\n");
    CHECK(with_placeholders(text_of(tree, "lib/apk/db/installed"), fixture.built) ==
          golden("install-moved-files.txt"));
  }

  TEST_CASE("check_package_file accepts the file the index describes")
  {
    Fixture fixture;
    fixture.add(hello());
    const std::vector<PackageFile> files = fixture.package_files();
    CHECK_NOTHROW(check_package_file(files[0].file, *files[0].package));
  }

  TEST_CASE("bad packages are refused with a message and leave the tree unchanged")
  {
    struct Case {
      const char* name;
      std::function<void(Spec&)> edit_spec;
      std::function<void(Built&)> edit_bytes;
      const char* message;
    };
    const auto flip = [](std::string& bytes, std::size_t at) { bytes[at] ^= 0x01; };
    std::vector<Case> cases{
        {"flipped byte in the control member", {},
         [&](Built& built) { flip(built.bytes, control_member(built.bytes).first + 4); },
         "does not match the index C:"},
        {"flipped byte in the data member", {},
         [&](Built& built) {
           const auto [offset, size] = control_member(built.bytes);
           flip(built.bytes, offset + size + 4); // the data member's gzip MTIME
         },
         "does not match .PKGINFO datahash"},
        {"wrong per-file checksum", [](Spec& spec) { spec.wrong_file_checksum = true; }, {},
         "does not match APK-TOOLS.checksum.SHA1"},
        {"../ path", [](Spec& spec) { spec.items.push_back(file("usr/../../x", "x")); }, {},
         "entry name escapes the root through '..'"},
        {"absolute path", [](Spec& spec) { spec.items.push_back(file("/etc/x", "x")); }, {},
         "entry has an absolute name '/etc/x'"},
        {"symlink escape",
         [](Spec& spec) {
           spec.items.push_back(symlink_item("x", "/etc"));
           spec.items.push_back(file("x/passwd", "evil"));
         },
         {}, "refusing to write through symlink /x"},
        {"symlink where the package took a directory before",
         [](Spec& spec) {
           spec.items.push_back(file("x/y/a", "a")); // left out (no dirent), x/y checked
           spec.items.push_back(symlink_item("x", "/etc"));
           spec.items.push_back(dir("x/y"));
           spec.items.push_back(file("x/y/passwd", "evil"));
         },
         {}, "refusing to write through symlink /x"},
        {"hard link to another package's file",
         [](Spec& spec) { spec.items.push_back(hard("usr/bin/pw", "etc/passwd")); }, {},
         "hard link to 'etc/passwd', which is not an earlier file of this package"},
        {"overwrite conflict",
         [](Spec& spec) {
           spec.items.push_back(dir("etc"));
           spec.items.push_back(file("etc/passwd", "evil"));
         },
         {}, "trying to overwrite /etc/passwd owned by base-data-1.0-r0"},
        {"missing datahash", [](Spec& spec) { spec.datahash = false; }, {},
         "legacy package without datahash"},
        {"truncated file", {},
         [](Built& built) {
           built.bytes.resize(built.bytes.size() - 20);
           built.record.size = built.bytes.size();
         },
         "does not match .PKGINFO datahash"},
        {"size mismatch", {}, [](Built& built) { built.bytes += '\0'; }, "the index says S:"},
    };
    for (const Case& test : cases) {
      SUBCASE(test.name)
      {
        // What base-data alone leaves (without the database written at the very end).
        Fixture reference;
        reference.add(base_data());
        Tree expected;
        install(reference.package_files(), options(), expected);

        Fixture fixture;
        fixture.add(base_data());
        Spec spec = hello();
        spec.name = "bad";
        spec.origin = "bad";
        if (test.edit_spec)
          test.edit_spec(spec);
        fixture.add(spec);
        if (test.edit_bytes)
          test.edit_bytes(fixture.built.back());
        Tree tree;
        std::string message;
        try {
          install(fixture.package_files(), options(), tree);
        } catch (const Error& error) {
          message = error.what();
        }
        CHECK_MESSAGE(message.find(test.message) != std::string::npos, message);
        CHECK_MESSAGE(message.find("bad-1.0-r0.apk") != std::string::npos, message);
        CHECK(package_files_snapshot(tree) == package_files_snapshot(expected));
      }
    }
  }

  // The case is 10,000 levels (393 s before; the Tree test builds 10,000 levels in
  // well under a second now; a package of them holds 100 MB of path names to generate and
  // read, so this one stays at 3,000 to keep the sanitizer pass quick).
  TEST_CASE("thousands of nested directories install without quadratic parent checks")
  {
    Spec spec = hello();
    spec.name = "deep";
    spec.origin = "deep";
    spec.items.clear();
    std::string path = "d";
    for (int level = 0; level < 3000; ++level) {
      spec.items.push_back(dir(path));
      path += "/d";
    }
    spec.items.push_back(file(path.substr(0, path.size() - 2) + "/leaf", "x"));
    Fixture fixture;
    fixture.add(spec);
    Tree tree;
    install(fixture.package_files(), options(), tree);
    CHECK(tree.find(path.substr(0, path.size() - 2) + "/leaf") != nullptr);
  }
}
