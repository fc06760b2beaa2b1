// The "parity" mirror preset: a handful of small packages that together hold every case an
// install must reproduce exactly as apk-tools does (tests/e2e/test_apk_oracle_install.sh
// installs them with apk.static and with compose and compares the trees and databases).
#include "alpine_presets.hpp"

namespace compose::testing {

namespace {

ApkSpec parity_spec(std::string name, std::string version, std::string arch)
{
  ApkSpec spec;
  spec.name = std::move(name);
  spec.version = std::move(version);
  spec.arch = std::move(arch);
  spec.description = spec.name + " (install parity fixture)";
  return spec;
}

// uname/gname are what apk resolves against the image's accounts; uid/gid are the numeric
// header values it falls back to for names the image does not know.
ApkFile owned_by(ApkFile file, std::string user, std::uint32_t uid, std::string group,
                 std::uint32_t gid)
{
  file.uname = std::move(user);
  file.uid = uid;
  file.gname = std::move(group);
  file.gid = gid;
  return file;
}

const char* k_passwd = "root:x:0:0:root:/root:/bin/sh\n"
                       "bin:x:1:1:bin:/bin:/sbin/nologin\n"
                       "daemon:x:2:2:daemon:/sbin:/sbin/nologin\n"
                       "mail:x:8:12:mail:/var/mail:/sbin/nologin\n"
                       "parity:x:1234:1234:parity:/var/lib/parity:/sbin/nologin\n"
                       "nobody:x:65534:65534:nobody:/:/sbin/nologin\n";
const char* k_group = "root:x:0:root\nbin:x:1:root,bin,daemon\ndaemon:x:2:root,bin,daemon\n"
                      "tty:x:5:\nmail:x:12:mail\nshadow:x:42:\nparity:x:1234:\n"
                      "nobody:x:65534:\n";
const char* k_shadow = "root:*::0:::::\nbin:!::0:::::\ndaemon:!::0:::::\nmail:!::0:::::\n"
                       "parity:!::0:::::\nnobody:!::0:::::\n";

// security.capability v2 with cap_net_raw (bit 13) permitted and effective.
const std::string k_net_raw("\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                            "\x00\x00\x00\x00",
                            20);

ApkFile special(ApkFile::Type type, std::string path, std::uint32_t mode,
                std::uint32_t major = 0, std::uint32_t minor = 0)
{
  ApkFile file = apk_file(std::move(path), {}, mode);
  file.type = type;
  file.devmajor = major;
  file.devminor = minor;
  return file;
}

} // namespace

MirrorContent parity_preset(const std::string& arch)
{
  MirrorContent mirror;

  // Accounts first, as alpine-baselayout-data ships them: later owners resolve by name.
  ApkSpec accounts = parity_spec("parity-accounts", "1.0-r0", arch);
  accounts.origin = "parity-base";
  accounts.files = {apk_dir("etc"), apk_file("etc/passwd", k_passwd),
                    apk_file("etc/group", k_group),
                    owned_by(apk_file("etc/shadow", k_shadow, 0640), "root", 0, "shadow", 42)};
  mirror.main.push_back(accounts);

  ApkSpec base = parity_spec("parity-base", "1.0-r0", arch);
  base.depends = {"parity-accounts"};
  base.provides = {"so:libparity.so.1=1.0.0", "cmd:parity-config=1.0-r0"};
  base.files = {apk_dir("etc"),
                apk_file("etc/parity.conf", "mode = base\n", 0600),
                apk_file("etc/parity.empty", ""),
                apk_dir("srv"),
                apk_dir("srv/shared", 0775),
                apk_dir("usr"),
                apk_dir("usr/bin"),
                apk_dir("usr/lib"),
                apk_file("usr/lib/libparity.so.1.0.0", "\x7f" "ELF parity library\n", 0755),
                apk_symlink("usr/lib/libparity.so.1", "libparity.so.1.0.0"),
                apk_dir("usr/share"),
                apk_dir("usr/share/parity"),
                apk_file("usr/share/parity/readme", "parity fixture\n", 0444),
                apk_dir("var"),
                apk_dir("var/empty", 0555),
                apk_dir("var/lib"),
                owned_by(apk_dir("var/lib/parity", 0750), "parity", 1234, "parity", 1234),
                apk_dir("var/spool"),
                owned_by(apk_dir("var/spool/mail", 02775), "root", 0, "mail", 12)};
  mirror.main.push_back(base);

  ApkSpec tools = parity_spec("parity-tools", "2.0-r1", arch);
  tools.depends = {"parity-base>=1.0", "so:libparity.so.1"};
  tools.provides = {"cmd:tool=2.0-r1", "parity-cli"};
  tools.provider_priority = 10;
  tools.triggers = {"/usr/lib/parity-plugins"};
  tools.scripts[".trigger"] = "#!/bin/sh\n\nexit 0\n";
  tools.scripts[".post-upgrade"] = "#!/bin/sh\n\nexit 0\n";
  tools.scripts[".pre-deinstall"] = "#!/bin/sh\n\nexit 0\n";
  ApkFile pinger = apk_file("usr/bin/pinger", "pinger\n", 0755);
  pinger.xattrs["security.capability"] = k_net_raw;
  tools.files = {
      apk_dir("srv"),
      apk_dir("srv/shared", 0755), // shared with parity-base, which says 0775
      apk_dir("usr"),
      apk_dir("usr/bin"),
      apk_file("usr/bin/tool", "#!/bin/sh\necho tool\n", 0755),
      apk_hardlink("usr/bin/tool-alias", "usr/bin/tool"),
      apk_symlink("usr/bin/t", "tool"),
      owned_by(apk_file("usr/bin/su-lite", "setuid\n", 04755), "root", 0, "root", 0),
      // Hard links to a setuid file and to a file with a capability: apk 2.14 chowns each
      // name as it links it, which makes the kernel clear both (compose keeps them).
      apk_hardlink("usr/bin/su-lite-link", "usr/bin/su-lite"),
      owned_by(apk_file("usr/bin/wall-lite", "setgid\n", 02755), "root", 0, "tty", 5),
      pinger,
      apk_hardlink("usr/bin/pinger6", "usr/bin/pinger"),
      apk_dir("usr/lib"),
      apk_dir("usr/lib/parity-2"),
      apk_file("usr/lib/parity-2/core", "core\n"),
      apk_symlink("usr/lib/parity-current", "parity-2"),
      apk_dir("usr/lib/parity-plugins"),
      apk_dir("usr/sbin"),
      apk_hardlink("usr/sbin/tool-admin", "usr/bin/tool"), // a hard link across directories
      apk_symlink("usr/sbin/tool-abs", "/usr/bin/tool"),
      apk_dir("usr/share"),
      apk_dir("usr/share/parity"),
      apk_file("usr/share/parity/shared-doc", "from parity-tools\n"),
      apk_file("usr/share/parity/" + std::string(120, 'n') + ".txt", "a name past ustar\n"),
      apk_file("usr/share/parity/caf\xc3\xa9.txt", "utf-8 name\n"),
      apk_dir("var"),
      apk_dir("var/lib"),
      owned_by(apk_dir("var/lib/parity", 0700), "root", 0, "root", 0), // base: parity 0750
      owned_by(apk_file("var/lib/parity/state", "state\n", 0640), "parity", 1234, "parity", 1234),
      // The header's ids differ from the image's: the names win.
      owned_by(apk_file("var/lib/parity/by-name", "by name\n"), "parity", 999, "parity", 999),
      // Names the image does not know: the header's numbers stay.
      owned_by(apk_file("var/lib/parity/ghost", "ghost\n", 0600), "ghost", 4321, "ghosts", 4322),
      apk_dir("var/lib/parity/empty", 0711),
      special(ApkFile::Type::fifo, "var/lib/parity/fifo", 0620),
      special(ApkFile::Type::char_device, "var/lib/parity/zero", 0666, 1, 5)};
  mirror.main.push_back(tools);

  // Same origin as parity-tools: may overwrite its files; its directory fires the trigger.
  ApkSpec plugins = parity_spec("parity-plugins", "2.0-r1", arch);
  plugins.origin = "parity-tools";
  plugins.depends = {"parity-tools=2.0-r1"};
  plugins.install_if = {"parity-tools=2.0-r1", "parity-base"};
  plugins.files = {apk_dir("usr"),
                   apk_dir("usr/lib"),
                   apk_dir("usr/lib/parity-plugins"),
                   apk_file("usr/lib/parity-plugins/one.so", "plugin one\n", 0755),
                   apk_dir("usr/share"),
                   apk_dir("usr/share/parity"),
                   apk_file("usr/share/parity/shared-doc", "from parity-plugins\n")};
  mirror.main.push_back(plugins);

  // Takes over a file of parity-base through replaces.
  ApkSpec replacer = parity_spec("parity-replacer", "1.0-r0", arch);
  replacer.depends = {"parity-base"};
  replacer.replaces = {"parity-base"};
  replacer.files = {apk_dir("etc"), apk_file("etc/parity.conf", "mode = replaced\n", 0640)};
  mirror.main.push_back(replacer);

  // Entries outside the directories the archive declares: a file at the top, and a file
  // whose directory is missing, which apk leaves out ("no dirent in archive", f:f). (A
  // directory whose parents are missing is not here: apk 2.14 fails to create it and
  // everything below it, with errors; compose creates the parents.)
  ApkSpec loose = parity_spec("parity-loose", "0.1-r0", arch);
  loose.files = {apk_file("parity-top", "at the top\n"),
                 apk_file("usr/share/loose/readme", "no directory entry\n")};
  mirror.main.push_back(loose);

  // Scripts without effects on the tree, under a name long enough for scripts.tar's GNU
  // long-name entries.
  ApkSpec quiet =
      parity_spec("parity-quiet-scripts-with-a-rather-long-package-name", "1.0.0_git20240101-r3", arch);
  quiet.scripts[".pre-install"] = "#!/bin/sh\n\nexit 0\n";
  quiet.scripts[".post-install"] = "#!/bin/sh\n\nexit 0\n";
  quiet.scripts[".post-deinstall"] = "#!/bin/sh\n\nexit 0\n";
  quiet.files = {apk_dir("usr"), apk_dir("usr/share"), apk_dir("usr/share/quiet"),
                 apk_file("usr/share/quiet/note", "quiet\n")};
  mirror.main.push_back(quiet);

  // A service account made by its scripts, as real daemons do; the files name it before it
  // exists, with the ids the script gives it.
  ApkSpec daemon = parity_spec("parity-daemon", "1.0-r0", arch);
  daemon.depends = {"parity-base"};
  daemon.scripts[".pre-install"] =
      "#!/bin/sh\n\naddgroup -S -g 1300 parityd 2>/dev/null\n"
      "adduser -S -D -H -h /var/lib/parityd -s /sbin/nologin -G parityd -u 1300 parityd "
      "2>/dev/null\nexit 0\n";
  daemon.scripts[".post-install"] = "#!/bin/sh\n\nchmod 0750 var/lib/parityd\nexit 0\n";
  daemon.files = {apk_dir("var"), apk_dir("var/lib"),
                  owned_by(apk_dir("var/lib/parityd", 0755), "parityd", 1300, "parityd", 1300),
                  owned_by(apk_file("var/lib/parityd/db", "db\n", 0600), "parityd", 1300,
                           "parityd", 1300)};
  mirror.main.push_back(daemon);

  return mirror;
}

} // namespace compose::testing
