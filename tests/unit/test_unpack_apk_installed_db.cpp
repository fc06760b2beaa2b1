// The apk installed database writer: installed (golden), scripts.tar, triggers, xattr hash.
#include <doctest/doctest.h>

#include "repo/apk/dependency.hpp"
#include "test_paths.hpp"
#include "unpack/apk/installed_db.hpp"
#include "unpack/tar_reader.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"

using namespace compose::unpack::apk;
using compose::repo::apk::parse_dependencies;

namespace {

compose::repo::apk::Package record(const std::string& name, const std::string& version)
{
  compose::repo::apk::Package package;
  package.checksum = "Q1" + compose::base64_encode(compose::digest(compose::DigestAlgorithm::sha1, name));
  package.name = name;
  package.version = version;
  package.arch = "x86_64";
  package.size = 1234;
  package.installed_size = 4096;
  package.description = name + " for tests";
  package.url = "https://example.org/" + name;
  package.license = "MIT";
  package.origin = name;
  package.maintainer = "Jane Doe <jane@example.org>";
  package.build_time = 1700000000;
  package.commit = "0123456789abcdef0123456789abcdef01234567";
  return package;
}

InstalledFile file(std::string name, std::uint32_t mode, std::string content,
                   std::uint32_t uid = 0, std::uint32_t gid = 0, std::string xattr = {})
{
  return InstalledFile{std::move(name), Permissions{uid, gid, mode, std::move(xattr)},
                       "Q1" + compose::base64_encode(
                                  compose::digest(compose::DigestAlgorithm::sha1, content))};
}

std::vector<InstalledPackage> packages()
{
  // Install order: zlib first, then hello; installed is written sorted by name.
  InstalledPackage zlib;
  zlib.record = record("zlib", "1.3.1-r0");
  zlib.record.depends = parse_dependencies("so:libc.musl-x86_64.so.1", "test");
  zlib.record.provides = parse_dependencies("so:libz.so.1=1.3.1", "test");
  zlib.directories = {InstalledDirectory{"lib", {0, 0, 0755, {}}, {}},
                      InstalledDirectory{"usr", {0, 0, 0755, {}}, {}},
                      InstalledDirectory{"usr/lib", {0, 0, 0755, {}},
                                         {file("libz.so.1", 0777, "libz.so.1.3.1"),
                                          file("libz.so.1.3.1", 0755, "ELF zlib")}}};

  InstalledPackage hello;
  hello.record = record("hello", "2.12.1-r0");
  hello.record.provider_priority = 10;
  hello.record.depends = parse_dependencies("!hello-old so:libc.musl-x86_64.so.1 /bin/sh", "test");
  hello.record.provides = parse_dependencies("cmd:hello=2.12.1-r0", "test");
  hello.record.install_if = parse_dependencies("docs base>=1.0", "test");
  hello.replaces = {"hello-old", "greeter<2"};
  hello.replaces_priority = 5;
  const std::string capability = xattr_hash({{"security.capability", std::string("\x01\0\0\x02", 4)}});
  const InstalledFile hello_binary = file("hello", 0755, "hello binary");
  InstalledFile hard_link = hello_binary;
  hard_link.name = "hello-hard";
  hard_link.permissions.mode = 0700;
  hello.directories = {
      InstalledDirectory{"usr", {0, 0, 0755, {}}, {}},
      InstalledDirectory{"usr/bin", {0, 0, 0755, {}},
                         {hello_binary, hard_link, file("hi", 0777, "hello"),
                          file("ping", 04755, "ping binary", 0, 0, capability)}},
      InstalledDirectory{"var/lib/hello", {100, 101, 02770, {}},
                         {file("state", 0600, "x", 100, 101),
                          InstalledFile{"fifo", Permissions{0, 0, 0644, {}}, ""}}},
  };
  hello.scripts = {{".post-install", "#!/bin/sh\necho post\n"},
                   {".pre-install", "#!/bin/sh\necho pre\n"},
                   {".trigger", "#!/bin/sh\n"}};
  hello.triggers = {"/usr/share/hello/*", "/etc/hello.d"};

  InstalledPackage meta;
  meta.record = record("alpine-base", "3.19.1-r0");
  meta.record.origin.clear();
  meta.record.maintainer.clear();
  meta.record.commit.clear();
  meta.record.url.clear();
  return {zlib, hello, meta};
}

} // namespace

TEST_SUITE("unpack::apk::installed_db")
{
  TEST_CASE("installed matches the golden text byte for byte")
  {
    const std::string expected = compose::read_file(compose::testing::source_dir() /
                                                    "tests/golden/apk-installed/basic.txt");
    const std::string actual = installed_text(packages());
    CHECK(actual == expected);
  }

  TEST_CASE("xattr hash frames each name and value with big-endian lengths")
  {
    CHECK(xattr_hash({}).empty());
    const std::string framed = std::string("\0\0\0\x13security.capability\0\0\0\x04\x01\0\0\x02", 31);
    CHECK(xattr_hash({{"security.capability", std::string("\x01\0\0\x02", 4)}}) ==
          "Q1" + compose::base64_encode(compose::digest(compose::DigestAlgorithm::sha1, framed)));
    // Sorted by name, whatever the insertion order.
    const std::map<std::string, std::string> two{{"user.b", "2"}, {"user.a", "1"}};
    const std::string both = std::string("\0\0\0\x06user.a\0\0\0\x01" "1" "\0\0\0\x06user.b\0\0\0\x01" "2", 30);
    CHECK(xattr_hash(two) ==
          "Q1" + compose::base64_encode(compose::digest(compose::DigestAlgorithm::sha1, both)));
  }

  TEST_CASE("scripts.tar holds every script in install order and apk's action order")
  {
    std::vector<InstalledPackage> installed = packages();
    installed[0].scripts = {{".post-upgrade", "#!/bin/sh\n"}};
    installed[2].record.name = std::string(90, 'm');
    installed[2].scripts = {{".pre-install", "#!/bin/sh\n"}};
    const std::string tar = scripts_tar(installed);
    CHECK(tar.size() % 512 == 0);
    CHECK(tar.substr(tar.size() - 1024) == std::string(1024, '\0'));
    std::vector<std::string> names;
    compose::unpack::read_tar(tar, "scripts.tar", [&](const compose::unpack::TarEntry& entry) {
      names.push_back(entry.name);
      CHECK(entry.type == '0');
      CHECK(entry.mode == 0755);
      CHECK(entry.uid == 0);
      CHECK(entry.uname == "root");
      CHECK(entry.gname == "root");
      CHECK(entry.mtime == 1700000000);
    });
    const std::string zlib = "zlib-1.3.1-r0." + installed[0].record.checksum;
    const std::string hello = "hello-2.12.1-r0." + installed[1].record.checksum;
    // apk 2.14 writes no long-name entries: a longer name is cut to 99 bytes.
    const std::string meta = std::string(90, 'm') + "-3.19.1-r0." + installed[2].record.checksum;
    CHECK(names == std::vector<std::string>{zlib + ".post-upgrade", hello + ".pre-install",
                                            hello + ".post-install", hello + ".trigger",
                                            meta.substr(0, 99)});
    CHECK(tar.substr(257, 8) == std::string("ustar  \0", 8)); // GNU magic
    CHECK(tar.substr(148, 8).ends_with(std::string("\0 ", 2)));
    // Mode with its NUL; size and mtime as 12 digits without one, as apk's put_octal.
    CHECK(tar.substr(100, 8) == std::string("0000755\0", 8));
    CHECK(tar.substr(124, 12) == "000000000012");
    CHECK(tar.substr(136, 12) == "014524770400");
  }

  TEST_CASE("triggers lists packages with trigger globs, in install order")
  {
    const std::vector<InstalledPackage> installed = packages();
    CHECK(triggers_text(installed) ==
          installed[1].record.checksum + " /usr/share/hello/* /etc/hello.d\n");
  }
}
