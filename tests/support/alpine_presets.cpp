// Mirror presets; see alpine_presets.hpp.
#include "alpine_presets.hpp"

#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <stdexcept>

#include "util/handles.hpp"

namespace compose::testing {

namespace {

std::string read_binary(const std::string& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(path + " is missing: install Debian's busybox-static package");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string busybox_applet_paths()
{
  std::unique_ptr<FILE, FreeWith<pclose>> pipe(popen("/bin/busybox --list-full", "r"));
  if (!pipe)
    throw std::runtime_error("cannot run /bin/busybox --list-full");
  std::string text;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe.get()))
    text += std::string("/") + buffer;
  return text;
}

ApkSpec spec(std::string name, std::string version, std::string arch)
{
  ApkSpec s;
  s.name = std::move(name);
  s.version = std::move(version);
  s.arch = std::move(arch);
  s.description = s.name + " (generated stand-in)";
  return s;
}

ApkFile owned(ApkFile file, std::string gname, std::string uname = "root")
{
  file.gname = std::move(gname);
  file.uname = std::move(uname);
  return file;
}

// Accounts as alpine-baselayout-data 3.4 ships them (the ids that matter for this image).
const char* k_passwd = "root:x:0:0:root:/root:/bin/sh\n"
                       "bin:x:1:1:bin:/bin:/sbin/nologin\n"
                       "daemon:x:2:2:daemon:/sbin:/sbin/nologin\n"
                       "lp:x:4:7:lp:/var/spool/lpd:/sbin/nologin\n"
                       "sync:x:5:0:sync:/sbin:/bin/sync\n"
                       "shutdown:x:6:0:shutdown:/sbin:/sbin/shutdown\n"
                       "halt:x:7:0:halt:/sbin:/sbin/halt\n"
                       "mail:x:8:12:mail:/var/mail:/sbin/nologin\n"
                       "news:x:9:13:news:/usr/lib/news:/sbin/nologin\n"
                       "uucp:x:10:14:uucp:/var/spool/uucppublic:/sbin/nologin\n"
                       "cron:x:16:16:cron:/var/spool/cron:/sbin/nologin\n"
                       "ftp:x:21:21::/var/lib/ftp:/sbin/nologin\n"
                       "sshd:x:22:22:sshd:/dev/null:/sbin/nologin\n"
                       "games:x:35:35:games:/usr/games:/sbin/nologin\n"
                       "ntp:x:123:123:NTP:/var/empty:/sbin/nologin\n"
                       "guest:x:405:100:guest:/dev/null:/sbin/nologin\n"
                       "nobody:x:65534:65534:nobody:/:/sbin/nologin\n";
const char* k_group = "root:x:0:root\nbin:x:1:root,bin,daemon\ndaemon:x:2:root,bin,daemon\n"
                      "sys:x:3:root,bin\nadm:x:4:root,daemon\ntty:x:5:\ndisk:x:6:root\n"
                      "lp:x:7:lp\nkmem:x:9:\nwheel:x:10:root\nfloppy:x:11:root\nmail:x:12:mail\n"
                      "news:x:13:news\nuucp:x:14:uucp\ncron:x:16:cron\naudio:x:18:\n"
                      "cdrom:x:19:\ndialout:x:20:root\nftp:x:21:\nsshd:x:22:\ninput:x:23:\n"
                      "tape:x:26:root\nvideo:x:27:root\nnetdev:x:28:\nkvm:x:34:kvm\n"
                      "games:x:35:\nshadow:x:42:\nwww-data:x:82:\nusers:x:100:games\n"
                      "ntp:x:123:\nabuild:x:300:\nutmp:x:406:\nping:x:999:\n"
                      "nogroup:x:65533:\nnobody:x:65534:\n";
const char* k_shadow = "root:*::0:::::\nbin:!::0:::::\ndaemon:!::0:::::\nlp:!::0:::::\n"
                       "sync:!::0:::::\nshutdown:!::0:::::\nhalt:!::0:::::\nmail:!::0:::::\n"
                       "news:!::0:::::\nuucp:!::0:::::\ncron:!::0:::::\nftp:!::0:::::\n"
                       "sshd:!::0:::::\ngames:!::0:::::\nntp:!::0:::::\nguest:!::0:::::\n"
                       "nobody:!::0:::::\n";

} // namespace

MirrorContent system_preset(const std::string& arch, const std::string& key_name)
{
  MirrorContent mirror;
  const std::string musl_so = "so:libc.musl-" + arch + ".so.1";

  ApkSpec data = spec("alpine-baselayout-data", "3.7.0-r0", arch);
  data.origin = "alpine-baselayout";
  data.files = {apk_dir("etc"),
                apk_file("etc/passwd", k_passwd),
                apk_file("etc/group", k_group),
                owned(apk_file("etc/shadow", k_shadow, 0640), "shadow"),
                apk_file("etc/hostname", "localhost\n"),
                apk_file("etc/shells", "# valid login shells\n/bin/sh\n/bin/ash\n"),
                apk_file("etc/os-release", "NAME=\"Alpine Linux\"\nID=alpine\n"
                                           "VERSION_ID=3.22.0\n")};
  mirror.main.push_back(data);

  ApkSpec base = spec("alpine-baselayout", "3.7.0-r0", arch);
  base.depends = {"alpine-baselayout-data=3.7.0-r0", "/bin/sh"};
  base.scripts[".pre-install"] = "#!/bin/sh\n\naddgroup -S -g 42 shadow 2>/dev/null\nexit 0\n";
  base.scripts[".post-install"] = "#!/bin/sh\n\nchown root:shadow etc/shadow\nexit 0\n";
  base.files = {apk_dir("bin"),           apk_dir("dev"),       apk_dir("etc"),
                apk_dir("home"),          apk_dir("lib"),       apk_dir("media"),
                apk_dir("mnt"),           apk_dir("opt"),       apk_dir("proc", 0555),
                apk_dir("root", 0700),    apk_dir("run"),       apk_dir("sbin"),
                apk_dir("srv"),           apk_dir("sys", 0555), apk_dir("tmp", 01777),
                apk_dir("usr"),           apk_dir("usr/bin"),   apk_dir("usr/sbin"),
                apk_dir("usr/lib"),       apk_dir("usr/local"), apk_dir("usr/share"),
                apk_dir("var"),           apk_dir("var/empty", 0555), apk_dir("var/log"),
                apk_dir("var/spool"),     apk_dir("var/spool/cron"),
                apk_dir("var/tmp", 01777), apk_symlink("var/run", "../run")};
  mirror.main.push_back(base);

  ApkSpec keys = spec("alpine-keys", "2.5-r0", arch);
  keys.files = {apk_dir("usr"), apk_dir("usr/share"), apk_dir("usr/share/apk"),
                apk_dir("usr/share/apk/keys"),
                apk_file("usr/share/apk/keys/" + key_name, "(the test key's PEM lives in etc/apk/keys)\n")};
  mirror.main.push_back(keys);

  ApkSpec musl = spec("musl", "1.2.5-r10", arch);
  musl.provides = {musl_so + "=1"};
  musl.files = {apk_dir("lib"), apk_file("lib/ld-musl-" + arch + ".so.1", "musl stand-in\n", 0755),
                apk_symlink("lib/libc.musl-" + arch + ".so.1", "ld-musl-" + arch + ".so.1")};
  mirror.main.push_back(musl);

  ApkSpec busybox = spec("busybox", "1.37.0-r18", arch);
  busybox.depends = {musl_so};
  busybox.provides = {"cmd:busybox=1.37.0-r18"};
  busybox.triggers = {"/bin", "/usr/bin", "/sbin", "/usr/sbin", "/lib/modules/*"};
  busybox.scripts[".post-install"] = "#!/bin/busybox sh\n\n/bin/busybox --install -s\nexit 0\n";
  busybox.scripts[".post-upgrade"] = "#!/bin/busybox sh\n\n/bin/busybox --install -s\nexit 0\n";
  busybox.scripts[".trigger"] = "#!/bin/busybox sh\n\n/bin/busybox --install -s\nexit 0\n";
  busybox.files = {apk_dir("bin"), apk_file("bin/busybox", read_binary("/bin/busybox"), 0755),
                   apk_dir("etc"), apk_dir("etc/busybox-paths.d"),
                   apk_file("etc/busybox-paths.d/busybox", busybox_applet_paths())};
  mirror.main.push_back(busybox);

  ApkSpec binsh = spec("busybox-binsh", "1.37.0-r18", arch);
  binsh.origin = "busybox";
  binsh.depends = {"busybox=1.37.0-r18"};
  binsh.provider_priority = 100;
  binsh.provides = {"/bin/sh", "cmd:sh=1.37.0-r18"};
  binsh.files = {apk_dir("bin"), apk_symlink("bin/sh", "/bin/busybox")};
  mirror.main.push_back(binsh);

  ApkSpec libssl = spec("libssl3", "3.5.1-r0", arch);
  libssl.provides = {"so:libssl.so.3=3"};
  libssl.files = {apk_dir("usr"), apk_dir("usr/lib"), apk_file("usr/lib/libssl.so.3", "ssl\n", 0755)};
  mirror.main.push_back(libssl);

  ApkSpec ssl_client = spec("ssl_client", "1.37.0-r18", arch);
  ssl_client.origin = "busybox";
  ssl_client.install_if = {"busybox=1.37.0-r18", "libssl3"};
  ssl_client.depends = {"so:libssl.so.3"};
  ssl_client.files = {apk_dir("usr"), apk_dir("usr/bin"),
                      apk_file("usr/bin/ssl_client", "ssl_client\n", 0755)};
  mirror.main.push_back(ssl_client);

  ApkSpec bundle = spec("ca-certificates-bundle", "20250619-r0", arch);
  bundle.files = {apk_dir("etc"), apk_dir("etc/ssl"), apk_dir("etc/ssl/certs"),
                  apk_file("etc/ssl/certs/ca-certificates.crt",
                           "-----BEGIN CERTIFICATE-----\n(test)\n-----END CERTIFICATE-----\n")};
  mirror.main.push_back(bundle);

  ApkSpec apk_tools = spec("apk-tools", "2.14.9-r2", arch);
  apk_tools.depends = {musl_so, "so:libssl.so.3"};
  apk_tools.files = {apk_dir("sbin"), apk_file("sbin/apk", "#!/bin/sh\necho apk stand-in\n", 0755),
                     apk_dir("lib"), apk_dir("lib/apk"), apk_dir("lib/apk/exec"),
                     apk_dir("etc"), apk_dir("etc/apk")};
  mirror.main.push_back(apk_tools);

  ApkSpec iputils = spec("iputils-ping", "20250605-r0", arch);
  ApkFile ping = apk_file("bin/ping", "ping stand-in\n", 0755);
  // security.capability v2 with cap_net_raw (bit 13) permitted and effective.
  ping.xattrs["security.capability"] =
      std::string("\x01\x00\x00\x02\x00\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  iputils.files = {apk_dir("bin"), ping, apk_hardlink("bin/ping6", "bin/ping"),
                   apk_dir("usr"), apk_dir("usr/bin"), apk_symlink("usr/bin/ping", "../../bin/ping")};
  mirror.main.push_back(iputils);

  ApkSpec iptables = spec("iptables", "1.8.11-r1", arch);
  iptables.depends = {musl_so};
  iptables.provides = {"cmd:iptables=1.8.11-r1"};
  iptables.files = {apk_dir("sbin"), apk_file("sbin/xtables-nft-multi", "xtables\n", 0755),
                    apk_symlink("sbin/iptables", "xtables-nft-multi")};
  mirror.main.push_back(iptables);

  ApkSpec ip6tables = spec("ip6tables", "1.8.11-r1", arch);
  ip6tables.origin = "iptables";
  ip6tables.depends = {"iptables"};
  ip6tables.files = {apk_dir("sbin"), apk_symlink("sbin/ip6tables", "xtables-nft-multi")};
  mirror.main.push_back(ip6tables);

  ApkSpec sshd = spec("openssh-server", "10.0_p1-r9", arch);
  sshd.origin = "openssh";
  sshd.depends = {musl_so, "openssh-server-common"};
  sshd.files = {apk_dir("usr"), apk_dir("usr/sbin"),
                apk_file("usr/sbin/sshd", "sshd stand-in\n", 0755)};
  mirror.main.push_back(sshd);

  ApkSpec sshd_common = spec("openssh-server-common", "10.0_p1-r9", arch);
  sshd_common.origin = "openssh";
  sshd_common.depends = {"/bin/sh"};
  sshd_common.scripts[".pre-install"] =
      "#!/bin/sh\n\naddgroup -S -g 22 sshd 2>/dev/null\n"
      "adduser -S -D -H -h /var/empty -s /sbin/nologin -G sshd -g sshd -u 22 sshd 2>/dev/null\n"
      "exit 0\n";
  sshd_common.files = {apk_dir("etc"), apk_dir("etc/ssh"),
                       apk_file("etc/ssh/sshd_config", "PermitRootLogin no\n")};
  mirror.main.push_back(sshd_common);

  ApkSpec cron = spec("dcron", "4.6-r0", arch);
  cron.depends = {musl_so};
  cron.scripts[".post-install"] = "#!/bin/sh\n\nrc-update add dcron default\nexit 0\n";
  cron.files = {apk_dir("usr"), apk_dir("usr/sbin"),
                apk_file("usr/sbin/crond", "crond stand-in\n", 0755), apk_dir("var"),
                apk_dir("var/spool"), apk_dir("var/spool/cron"),
                owned(apk_dir("var/spool/cron/crontabs", 01730), "cron")};
  mirror.main.push_back(cron);

  ApkSpec runc = spec("runc", "1.2.6-r3", arch);
  runc.depends = {musl_so};
  runc.files = {apk_dir("usr"), apk_dir("usr/bin"), apk_file("usr/bin/runc", "runc\n", 0755)};
  mirror.community.push_back(runc);

  ApkSpec containerd = spec("containerd", "2.0.5-r3", arch);
  containerd.depends = {"runc", musl_so};
  containerd.files = {apk_dir("usr"), apk_dir("usr/bin"),
                      apk_file("usr/bin/containerd", "containerd\n", 0755)};
  mirror.community.push_back(containerd);

  ApkSpec engine = spec("docker-engine", "28.3.3-r3", arch);
  engine.origin = "docker";
  engine.depends = {"containerd", "iptables", "ip6tables", "/bin/sh"};
  engine.scripts[".pre-install"] = "#!/bin/sh\n\naddgroup -S docker 2>/dev/null\nexit 0\n";
  engine.files = {apk_dir("usr"), apk_dir("usr/bin"),
                  apk_file("usr/bin/dockerd", "dockerd\n", 0755)};
  mirror.community.push_back(engine);

  ApkSpec cli = spec("docker-cli", "28.3.3-r3", arch);
  cli.origin = "docker";
  cli.files = {apk_dir("usr"), apk_dir("usr/bin"), apk_file("usr/bin/docker", "docker\n", 0755)};
  mirror.community.push_back(cli);

  ApkSpec docker = spec("docker", "28.3.3-r3", arch);
  docker.depends = {"docker-engine", "docker-cli"};
  mirror.community.push_back(docker);

  ApkSpec supervisor = spec("supervisor", "4.2.5-r5", arch);
  supervisor.depends = {"/bin/sh"};
  supervisor.files = {apk_dir("usr"), apk_dir("usr/bin"),
                      apk_file("usr/bin/supervisord", "supervisord\n", 0755), apk_dir("etc"),
                      apk_file("etc/supervisord.conf", "[supervisord]\nnodaemon=true\n")};
  mirror.community.push_back(supervisor);

  ApkSpec podman = spec("podman", "5.6.1-r2", arch);
  podman.depends = {"runc", "iptables", musl_so};
  podman.files = {apk_dir("usr"), apk_dir("usr/bin"), apk_file("usr/bin/podman", "podman\n", 0755),
                  apk_dir("etc"), apk_dir("etc/containers"),
                  apk_file("etc/containers/registries.conf", "# packaged default\n")};
  mirror.community.push_back(podman);

  // The podman flavour's storage on a container's overlay root.
  ApkSpec fuse_overlayfs = spec("fuse-overlayfs", "1.15-r0", arch);
  fuse_overlayfs.depends = {musl_so};
  fuse_overlayfs.files = {apk_dir("usr"), apk_dir("usr/bin"),
                          apk_file("usr/bin/fuse-overlayfs", "fuse-overlayfs\n", 0755)};
  mirror.community.push_back(fuse_overlayfs);

  for (const char* kind : {"traversal", "absolute", "symlink-escape", "bad-file-checksum"})
    mirror.main.push_back(evil_package(kind, arch));
  return mirror;
}

ApkSpec evil_package(const std::string& kind, const std::string& arch)
{
  ApkSpec evil = spec("evil-" + kind, "1.0-r0", arch);
  evil.files = {apk_dir("etc")};
  if (kind == "traversal")
    evil.files.push_back(apk_file("etc/../../escaped", "out of the root\n"));
  else if (kind == "absolute")
    evil.files.push_back(apk_file("/etc/absolute", "absolute\n"));
  else if (kind == "symlink-escape")
    evil.files = {apk_symlink("x", "/etc"), apk_file("x/passwd", "root::0:0::/:/bin/sh\n")};
  else if (kind == "bad-file-checksum") {
    evil.files.push_back(apk_file("etc/evil.conf", "value\n"));
    evil.corrupt_file_checksum = true;
  }
  return evil;
}

MirrorContent large_preset(const std::string& arch, int packages, int total_megabytes)
{
  MirrorContent mirror;
  std::mt19937_64 random(42);
  const std::size_t per_package =
      static_cast<std::size_t>(total_megabytes) * (1u << 20) / static_cast<std::size_t>(packages);
  for (int i = 0; i < packages; ++i) {
    ApkSpec s = spec("bulk-" + std::to_string(i), "1.0." + std::to_string(i) + "-r0", arch);
    if (i > 0)
      s.depends = {"bulk-" + std::to_string(i / 2)};
    s.files = {apk_dir("usr"), apk_dir("usr/lib"), apk_dir("usr/lib/bulk-" + std::to_string(i))};
    // Content that compresses to about half, like real binaries.
    for (int f = 0; f < 4; ++f) {
      std::string bytes(per_package / 4, '\0');
      for (std::size_t b = 0; b < bytes.size(); b += 8) {
        const std::uint64_t word = random();
        for (std::size_t k = 0; k < 8 && b + k < bytes.size(); ++k)
          bytes[b + k] = (k % 2) ? static_cast<char>(word >> (8 * k)) : 'A';
      }
      s.files.push_back(apk_file("usr/lib/bulk-" + std::to_string(i) + "/part" +
                                     std::to_string(f) + ".so",
                                 std::move(bytes), 0755));
    }
    (i % 2 ? mirror.community : mirror.main).push_back(std::move(s));
  }
  return mirror;
}

} // namespace compose::testing
