// compose diff: two small locks per family whose changes cover every kind (added, removed,
// upgraded, downgraded, rebuilt; repositories, keys and pinned files), checked case by case
// and against golden Markdown and JSON; the version rules are the family's own (apk's
// -rN revisions, dpkg's epochs and tildes); the two hand-written product locks of
// tests/golden/report compare as a release note would show them.
#include <doctest/doctest.h>

#include <algorithm>

#include "lock/lock_diff.hpp"
#include "test_paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using namespace compose;
using namespace compose::lock;

namespace {

std::string sha(char c)
{
  return std::string(64, c);
}

LockedPackage apk(const std::string& name, const std::string& version, char digest,
                  const std::string& origin = {})
{
  LockedPackage package;
  package.name = name;
  package.version = version;
  package.architecture = "x86_64";
  package.size = 1000;
  package.digests = {{"sha256", sha(digest)}};
  package.record = "P:" + name + "\nV:" + version + "\nA:x86_64\n" +
                   (origin.empty() ? "" : "o:" + origin + "\n");
  return package;
}

LockedPackage deb(const std::string& name, const std::string& version, char digest,
                  const std::string& source = {})
{
  LockedPackage package;
  package.name = name;
  package.version = version;
  package.architecture = "amd64";
  package.size = 1000;
  package.digests = {{"sha256", sha(digest)}};
  package.record = "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n" +
                   (source.empty() ? "" : "Source: " + source + "\n");
  return package;
}

LockFile alpine_lock(std::vector<LockedPackage> packages)
{
  LockFile lock;
  lock.recipe.name = "web";
  lock.recipe.distribution = "alpine";
  lock.epoch = 1700000000;
  LockedRepository main;
  main.url = "https://mirror.example/alpine/v3.22/main";
  main.index = {main.url + "/x86_64/APKINDEX.tar.gz", sha('1'), 0};
  main.signed_by = "alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub";
  lock.repositories = {main};
  lock.keys = {{"alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub", "apk-rsa", sha('a'), {}}};
  lock.files = {{"/usr/local/bin/docker-compose",
                 "https://github.com/docker/compose/releases/download/v2.39.0/docker-compose",
                 sha('c')}};
  lock.packages = std::move(packages);
  return lock;
}

LockFile debian_lock(std::vector<LockedPackage> packages)
{
  LockFile lock;
  lock.recipe.name = "bookworm";
  lock.recipe.distribution = "debian";
  lock.epoch = 1700000000;
  LockedRepository main;
  main.url = "https://deb.example/debian";
  main.suite = "bookworm";
  main.component = "main";
  main.index = {main.url + "/dists/bookworm/InRelease", sha('1'), 0};
  main.packages = {main.url + "/dists/bookworm/main/binary-amd64/Packages.xz", sha('2'), 0};
  main.signed_by = "b8b80b5b623eab6ad8775c45b7c5d7d6350947f8";
  lock.repositories = {main};
  lock.packages = std::move(packages);
  return lock;
}

// The Alpine pair: one of each change, and a new index, key and pinned file.
std::pair<LockFile, LockFile> alpine_pair()
{
  LockFile before = alpine_lock({apk("busybox", "1.37.0-r18", 'b', "busybox"),
                                 apk("busybox-binsh", "1.37.0-r18", 'c', "busybox"),
                                 apk("musl", "1.2.5-r10", 'd'), apk("zlib", "1.3.1-r2", 'e'),
                                 apk("ssl_client", "3.5.1-r0", 'f', "openssl"),
                                 apk("curl", "8.14.1-r1", '0')});
  LockFile after = alpine_lock({apk("busybox", "1.37.0-r19", 'B', "busybox"),
                                apk("busybox-binsh", "1.37.0-r19", 'C', "busybox"),
                                apk("musl", "1.2.5-r10", 'd'), apk("zlib", "1.3.1-r2", 'E'),
                                apk("ssl_client", "3.5.0-r0", 'F', "openssl"),
                                apk("tini", "0.19.0-r3", '9')});
  after.repositories[0].index.sha256 = sha('2');
  after.keys.push_back({"alpine-devel@lists.alpinelinux.org-61666e3f.rsa.pub", "apk-rsa", sha('b'), {}});
  after.files[0] = {"/usr/local/bin/docker-compose",
                    "https://github.com/docker/compose/releases/download/v2.40.0/docker-compose",
                    sha('d')};
  after.epoch = 1710000000;
  return {before, after};
}

const PackageChange& change_of(const LockDiff& diff, const std::string& name)
{
  const auto found = std::find_if(diff.packages.begin(), diff.packages.end(),
                                  [&](const PackageChange& c) { return c.name == name; });
  REQUIRE(found != diff.packages.end());
  return *found;
}

std::string golden(const std::string& name)
{
  return read_file(testing::source_dir() / "tests/golden/diff" / name);
}

} // namespace

TEST_SUITE("lock::lock_diff")
{
  TEST_CASE("Alpine: every kind of package change, by apk's rules")
  {
    const auto [before, after] = alpine_pair();
    const LockDiff diff = diff_locks(before, after, "old/web.lock.json", "new/web.lock.json");
    CHECK(change_of(diff, "busybox").change == "upgraded");
    CHECK(change_of(diff, "busybox").new_source == "busybox");
    CHECK(change_of(diff, "busybox-binsh").old_source == "busybox"); // origin, not its name
    CHECK(change_of(diff, "ssl_client").change == "downgraded");
    CHECK(change_of(diff, "ssl_client").new_source == "openssl");
    CHECK(change_of(diff, "zlib").change == "rebuilt");
    CHECK(change_of(diff, "curl").change == "removed");
    CHECK(change_of(diff, "tini").change == "added");
    CHECK(diff.unchanged_packages == 1); // musl
    REQUIRE(diff.repositories.size() == 1);
    CHECK(diff.repositories[0].change == "changed");
    REQUIRE(diff.keys.size() == 1);
    CHECK(diff.keys[0].change == "added");
    REQUIRE(diff.files.size() == 1);
    CHECK(diff.files[0].details.size() == 2); // url and sha256
    CHECK(diff_markdown(diff) == golden("alpine.md"));
    CHECK(diff_json(diff) == golden("alpine.json"));
  }

  TEST_CASE("apk compares revisions as numbers: -r10 is newer than -r9")
  {
    const LockDiff diff = diff_locks(alpine_lock({apk("musl", "1.2.5-r9", 'a')}),
                                     alpine_lock({apk("musl", "1.2.5-r10", 'b')}), "a", "b");
    CHECK(change_of(diff, "musl").change == "upgraded");
  }

  TEST_CASE("Debian: epochs, tildes and Source fields, by dpkg's rules")
  {
    const LockFile before = debian_lock({deb("openssh-server", "1:9.2p1-2+deb12u6", 'a', "openssh"),
                                         deb("libc6", "2.36-9+deb12u10", 'b', "glibc"),
                                         deb("tzdata", "2025b-0+deb12u1", 'c'),
                                         deb("libssl3", "3.0.17-1~deb12u2", 'd', "openssl (3.0.17-1~deb12u2)"),
                                         deb("mawk", "1.3.4.20200120-3.1", 'e')});
    LockFile after = debian_lock({deb("openssh-server", "1:9.2p1-2+deb12u7", 'A', "openssh"),
                                  deb("libc6", "2.36-9+deb12u9", 'B', "glibc"),
                                  deb("tzdata", "2025b-0+deb12u1", 'c'),
                                  deb("libssl3", "3.0.17-1", 'D', "openssl (3.0.17-1)"),
                                  deb("mawk", "1:1.3.4.20200120-3.1", 'E')});
    after.repositories[0].index.sha256 = sha('3');
    after.repositories[0].packages.sha256 = sha('4');
    const LockDiff diff = diff_locks(before, after, "bookworm.lock.json", "bookworm-new.lock.json");
    CHECK(change_of(diff, "openssh-server").change == "upgraded");
    CHECK(change_of(diff, "libc6").change == "downgraded");
    CHECK(change_of(diff, "libssl3").change == "upgraded"); // "~deb12u2" sorts before the end
    CHECK(change_of(diff, "libssl3").old_source_version == "3.0.17-1~deb12u2");
    CHECK(change_of(diff, "mawk").change == "upgraded"); // an epoch beats any upstream
    CHECK(change_of(diff, "mawk").new_source == "mawk"); // no Source: the package itself
    CHECK(diff.unchanged_packages == 1);
    CHECK(diff_markdown(diff) == golden("debian.md"));
  }

  TEST_CASE("identical locks: no changes")
  {
    const auto [before, after] = alpine_pair();
    const LockDiff diff = diff_locks(before, before, "a", "b");
    CHECK(diff.empty());
    CHECK(diff_markdown(diff) == "# web (a) -> web (b)\n\nNo changes (6 packages).\n");
  }

  TEST_CASE("an Alpine lock does not compare with a Debian one")
  {
    CHECK_THROWS_WITH_AS(diff_locks(alpine_lock({}), debian_lock({}), "a.lock.json", "b.lock.json"),
                         doctest::Contains("cannot compare locks of alpine and debian"),
                         Error);
  }

  TEST_CASE("the product locks: dockerd against podman")
  {
    const std::filesystem::path report = testing::source_dir() / "tests/golden/report";
    const LockDiff diff = diff_locks(read_lock(report / "alpine-3.22-dockerd.lock.json"),
                                     read_lock(report / "alpine-3.22-podman.lock.json"),
                                     "alpine-3.22-dockerd.lock.json",
                                     "alpine-3.22-podman.lock.json");
    CHECK(diff_markdown(diff) == golden("dockerd-podman.md"));
  }
}
