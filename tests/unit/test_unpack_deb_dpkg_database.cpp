// The dpkg database writer: status field order and sorting, info/ files, alternatives admin
// files, triggers, diversions and statoverrides as dpkg itself writes them.
#include <doctest/doctest.h>

#include "repo/deb/control_file.hpp"
#include "stage/tree.hpp"
#include "unpack/deb/dpkg_database.hpp"
#include "util/error.hpp"

using compose::Error;
using compose::stage::Tree;
using namespace compose::unpack::deb;

namespace {

UnpackedPackage make_package(const std::string& control,
                             std::map<std::string, ControlMember> members = {},
                             std::vector<std::string> paths = {"/."})
{
  UnpackedPackage package;
  package.archive.control_text = control;
  package.archive.control = compose::repo::deb::parse_control(control, "control").at(0);
  package.archive.control_files = std::move(members);
  package.paths = std::move(paths);
  return package;
}

std::string text_of(const Tree& tree, const std::string& path)
{
  const auto inode = tree.find(path);
  REQUIRE_MESSAGE(inode, path);
  return inode->content.read();
}

const std::string k_dash_control = "Package: dash\n"
                                   "Version: 0.5.12-2\n"
                                   "Architecture: amd64\n"
                                   "Essential: yes\n"
                                   "Maintainer: Debian Shell Maintainers <x@example.org>\n"
                                   "Installed-Size: 216\n"
                                   "Pre-Depends: libc6 (>= 2.34),debianutils (>= 5.6-0.1)\n"
                                   "Section: shells\n"
                                   "Priority: required\n"
                                   "Multi-Arch: foreign\n"
                                   "Homepage: http://gondor.apana.org.au/~herbert/dash/\n"
                                   "Description: POSIX-compliant shell\n"
                                   " The Debian Almquist Shell.\n"
                                   " .\n"
                                   "   indented line\n";

} // namespace

TEST_SUITE("unpack::deb::dpkg_database")
{
  TEST_CASE("a status stanza has dpkg's field order, Status, and other fields last")
  {
    InstalledPackage package{make_package(k_dash_control), {}};
    CHECK(status_stanza(package) == "Package: dash\n"
                                    "Essential: yes\n"
                                    "Status: install ok installed\n"
                                    "Priority: required\n"
                                    "Section: shells\n"
                                    "Installed-Size: 216\n"
                                    "Maintainer: Debian Shell Maintainers <x@example.org>\n"
                                    "Architecture: amd64\n"
                                    "Multi-Arch: foreign\n"
                                    "Version: 0.5.12-2\n"
                                    "Pre-Depends: libc6 (>= 2.34), debianutils (>= 5.6-0.1)\n"
                                    "Description: POSIX-compliant shell\n"
                                    " The Debian Almquist Shell.\n"
                                    " .\n"
                                    "   indented line\n"
                                    "Homepage: http://gondor.apana.org.au/~herbert/dash/\n");
  }

  TEST_CASE("blanks end a value only at its end, as dpkg's parser trims them")
  {
    // libgdbm6's summary line ends in a blank that dpkg keeps, since more lines follow.
    InstalledPackage package{
        make_package("Package: libgdbm6\nVersion: 1.23-3\nArchitecture: amd64 \t\n"
                     "Description: GNU dbm database routines (runtime version) \n"
                     " GNU dbm ('gdbm') is a library. \n"
                     " Last line.  \n"),
        {}};
    CHECK(status_stanza(package) == "Package: libgdbm6\n"
                                    "Status: install ok installed\n"
                                    "Architecture: amd64\n"
                                    "Version: 1.23-3\n"
                                    "Description: GNU dbm database routines (runtime version) \n"
                                    " GNU dbm ('gdbm') is a library. \n"
                                    " Last line.\n");
  }

  TEST_CASE("conffiles carry the md5 of the shipped file; index-only fields are dropped")
  {
    Tree tree;
    tree.add_file("etc/motd", "hello\n");
    UnpackedPackage unpacked =
        make_package("Package: base-files\nVersion: 12.4\nArchitecture: amd64\n"
                     "Essential: no\nMulti-Arch: no\nFilename: pool/x.deb\nSize: 12\n"
                     "Description: misc\n",
                     {{"conffiles", {"/etc/motd\n", 0644}}});
    InstalledPackage package{unpacked, conffile_digests(unpacked, tree)};
    CHECK(status_stanza(package) == "Package: base-files\n"
                                    "Status: install ok installed\n"
                                    "Architecture: amd64\n"
                                    "Version: 12.4\n"
                                    "Conffiles:\n"
                                    " /etc/motd b1946ac92492d2347c6235b4d2611184\n"
                                    "Description: misc\n");
  }

  TEST_CASE("a conffile missing from the tree names the package")
  {
    Tree tree;
    UnpackedPackage unpacked = make_package("Package: x\nVersion: 1\nArchitecture: all\n",
                                            {{"conffiles", {"/etc/x.conf\n", 0644}}});
    CHECK_THROWS_WITH_AS(conffile_digests(unpacked, tree),
                         doctest::Contains("conffile '/etc/x.conf' is not a regular file"), Error);
  }

  TEST_CASE("the database: sorted status, info files, triggers, diversions, overrides")
  {
    Tree tree;
    std::vector<InstalledPackage> packages;
    packages.push_back({make_package("Package: zlib1g\nVersion: 1\nArchitecture: amd64\n"
                                     "Multi-Arch: same\n",
                                     {{"triggers", {"activate-noawait ldconfig\n", 0644}},
                                      {"postinst", {"#!/bin/sh\n", 0700}},
                                      {"md5sums", {"abc  usr/lib/libz.so.1\n", 0644}}},
                                     {"/.", "/usr", "/usr/lib", "/usr/lib/libz.so.1"}),
                        {}});
    packages.push_back({make_package("Package: dbus\nVersion: 1\nArchitecture: amd64\n",
                                     {{"triggers",
                                       {"# comment\ninterest-noawait /etc/dbus-1/system.d\n",
                                        0644}}}),
                        {}});
    packages.push_back({make_package("Package: libc-bin\nVersion: 1\nArchitecture: amd64\n",
                                     {{"triggers", {"interest-noawait ldconfig\n", 0644}}}),
                        {}});
    packages.push_back({make_package("Package: ca-certificates\nVersion: 1\nArchitecture: all\n",
                                     {{"triggers", {"interest update-ca-certificates\n", 0644}}}),
                        {}});
    DpkgState state;
    state.diversions.push_back({"/bin/sh", "/bin/sh.distrib", "dash"});
    state.diversions.push_back(
        {"/usr/share/man/man1/sh.1.gz", "/usr/share/man/man1/sh.distrib.1.gz", "dash"});
    state.statoverrides.push_back(
        {"root", "messagebus", 04754, "/usr/lib/dbus-1.0/dbus-daemon-launch-helper"});
    state.statoverrides.push_back({"root", "Debian-exim", 0640, "/etc/exim4/passwd.client"});
    state.statoverrides.push_back({"root", "crontab", 02755, "/usr/bin/crontab"});
    write_dpkg_database(packages, state, "amd64", 1700000000, tree);

    const std::string status = text_of(tree, "var/lib/dpkg/status");
    CHECK(status.find("Package: ca-certificates\n") < status.find("Package: dbus\n"));
    CHECK(status.find("Package: dbus\n") < status.find("Package: libc-bin\n"));
    CHECK(status.find("Package: libc-bin\n") < status.find("Package: zlib1g\n"));
    CHECK(status.ends_with("Multi-Arch: same\nVersion: 1\n\n"));

    CHECK(text_of(tree, "var/lib/dpkg/info/zlib1g:amd64.list") ==
          "/.\n/usr\n/usr/lib\n/usr/lib/libz.so.1\n");
    CHECK(text_of(tree, "var/lib/dpkg/info/zlib1g:amd64.md5sums") == "abc  usr/lib/libz.so.1\n");
    CHECK(tree.find("var/lib/dpkg/info/zlib1g:amd64.postinst")->mode == 0755);
    CHECK(tree.exists("var/lib/dpkg/info/dbus.list"));
    CHECK_FALSE(tree.exists("var/lib/dpkg/info/dbus.control"));
    CHECK(text_of(tree, "var/lib/dpkg/info/format") == "1\n");
    CHECK(text_of(tree, "var/lib/dpkg/arch") == "amd64\n");

    CHECK(text_of(tree, "var/lib/dpkg/triggers/File") == "/etc/dbus-1/system.d dbus/noawait\n");
    CHECK(text_of(tree, "var/lib/dpkg/triggers/ldconfig") == "libc-bin/noawait\n");
    CHECK(text_of(tree, "var/lib/dpkg/triggers/update-ca-certificates") == "ca-certificates\n");
    CHECK(text_of(tree, "var/lib/dpkg/triggers/Unincorp").empty());
    CHECK(tree.find("var/lib/dpkg/triggers/Lock")->mode == 0600);

    // The orders dpkg-divert and dpkg-statoverride themselves write (checked by letting
    // them rewrite a database made here).
    CHECK(text_of(tree, "var/lib/dpkg/diversions") ==
          "/usr/share/man/man1/sh.1.gz\n/usr/share/man/man1/sh.distrib.1.gz\ndash\n"
          "/bin/sh\n/bin/sh.distrib\ndash\n");
    CHECK(text_of(tree, "var/lib/dpkg/statoverride") ==
          "root crontab 2755 /usr/bin/crontab\n"
          "root Debian-exim 640 /etc/exim4/passwd.client\n"
          "root messagebus 4754 /usr/lib/dbus-1.0/dbus-daemon-launch-helper\n");
    CHECK(tree.find("var/lib/dpkg/lock")->mode == 0640);
    CHECK(tree.find("var/lib/dpkg/lock-frontend")->mode == 0640);
    CHECK(tree.find("var/lib/dpkg/updates")->type == compose::stage::FileType::directory);
    CHECK_FALSE(tree.exists("var/lib/dpkg/available"));
  }

  TEST_CASE("an alternatives admin file sorts slaves by name and choices by path")
  {
    Alternative pager;
    pager.name = "pager";
    pager.link = "/usr/bin/pager";
    pager.slaves = {{"pager.1.gz", "/usr/share/man/man1/pager.1.gz"}};
    pager.choices.push_back({"/usr/bin/less", 77, {{"pager.1.gz", "/usr/share/man/man1/less.1.gz"}}});
    pager.choices.push_back({"/bin/more", 50, {{"pager.1.gz", "/usr/share/man/man1/more.1.gz"}}});
    pager.choices.push_back({"/usr/bin/pg", 10, {}});
    CHECK(pager.best()->path == "/usr/bin/less");
    CHECK(alternative_admin_file(pager) == "auto\n/usr/bin/pager\n"
                                           "pager.1.gz\n/usr/share/man/man1/pager.1.gz\n\n"
                                           "/bin/more\n50\n/usr/share/man/man1/more.1.gz\n"
                                           "/usr/bin/less\n77\n/usr/share/man/man1/less.1.gz\n"
                                           "/usr/bin/pg\n10\n\n"
                                           "\n");
  }

  TEST_CASE("equal priorities keep the choice registered first")
  {
    Alternative which;
    which.choices.push_back({"/usr/bin/which.debianutils", 0, {}});
    which.choices.push_back({"/usr/bin/gnuwhich", 0, {}});
    CHECK(which.best()->path == "/usr/bin/which.debianutils");
  }
}
