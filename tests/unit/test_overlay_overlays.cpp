// Overlays on a small packaged tree: accounts with their SSH directory modes, the sshd
// drop-in or prepended settings, supervisord.conf, the init script, files of every kind,
// clean-up with keep rules, and the ways an overlay can be wrong.
#include <doctest/doctest.h>

#include <fstream>

#include "overlay/overlays.hpp"
#include "recipe/recipe.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;
using compose::Error;
using compose::stage::FileType;
using compose::stage::Tree;

namespace {

constexpr std::int64_t k_epoch = 1700000000;

// What the packages left: accounts, an sshd_config (with or without the Debian Include),
// docs with copyright files.
Tree packaged_tree(bool sshd_includes_drop_ins)
{
  Tree tree;
  for (const char* directory : {"etc", "etc/ssh", "home", "usr", "usr/share", "usr/share/doc",
                                "usr/share/doc/sudo", "usr/share/man", "usr/share/man/man1",
                                "usr/local", "usr/local/bin", "usr/local/sbin", "usr/bin",
                                "usr/sbin"})
    tree.add_directory(directory);
  for (const char* program : {"usr/sbin/sshd", "usr/bin/dockerd", "usr/bin/supervisord"})
    tree.add_file(program, "\x7f" "ELF", 0755);
  tree.add_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  tree.add_file("etc/group", "root:x:0:\ndocker:x:101:\n");
  tree.add_file("etc/shadow", "root:*::0:::::\n", 0640);
  tree.add_file("etc/ssh/sshd_config",
                std::string(sshd_includes_drop_ins ? "Include /etc/ssh/sshd_config.d/*.conf\n"
                                                   : "") +
                    "PermitRootLogin yes\n");
  tree.add_file("usr/share/doc/sudo/copyright", "GPL\n");
  tree.add_file("usr/share/doc/sudo/README", "read me\n");
  tree.add_file("usr/share/man/man1/sudo.1.gz", "man\n");
  return tree;
}

struct RecipeDirectory {
  compose::TempPath directory = compose::make_temp_directory("compose-overlay-");

  compose::recipe::Recipe load(const std::string& overlays) const
  {
    const fs::path file = directory.path() / "image.toml";
    std::ofstream(directory.path() / "motd") << "welcome\n";
    std::ofstream(file) << "name = \"overlay-test\"\ndistribution = \"alpine\"\n"
                           "release = \"3.22\"\narchitecture = \"x86_64\"\n"
                           "packages = [\"busybox\"]\n\n"
                           "[[repositories]]\nurl = \"https://mirror.example/alpine\"\n"
                           "branch = \"v3.22\"\nrepos = [\"main\"]\nkeys = [\"k.rsa.pub\"]\n\n"
                        << overlays;
    return compose::recipe::load_recipe(file);
  }
};

const std::string k_overlays = R"(
[[groups]]
name = "docker"
members = ["miget"]

[[users]]
name = "miget"
uid = 1000
shell = "/bin/bash"

[ssh]
permit_root_login = false
password_authentication = false

[supervisor]
config = "/etc/supervisord.conf"

[[supervisor.programs]]
name = "sshd"
command = "/usr/sbin/sshd -D -e"
priority = 10

[[supervisor.programs]]
name = "dockerd"
command = "/usr/bin/dockerd"
priority = 30
startsecs = 3
environment = { DOCKER_OPTS = "say \"100%\"" }

[init]
runtime_dirs = ["/run/sshd", "/var/spool/cron"]
data_label = "miget-data"
data_mount = "/var/lib/docker"
exec = ["/usr/bin/supervisord", "--nodaemon", "--configuration", "/etc/supervisord.conf"]

[[files]]
path = "/etc/motd"
source = "motd"

[[files]]
path = "/usr/local/bin/tool"
url = "https://downloads.example/tool"
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
mode = "0755"

[[files]]
path = "/etc/app.conf"
content = "key = value\n"
mode = "0640"
owner = "miget"
group = "docker"

[[files]]
path = "/usr/local/bin/tool-link"
link = "tool"

[[files]]
path = "/srv/data"
directory = true
owner = "1000"

[cleanup]
paths = ["/usr/share/doc/*", "/usr/share/man/*"]
keep = ["/usr/share/doc/*/copyright"]
)";

std::string text_of(const Tree& tree, const std::string& path)
{
  const auto inode = tree.find(path);
  REQUIRE_MESSAGE(inode, path);
  return inode->content.read();
}

} // namespace

TEST_SUITE("overlay_overlays")
{
  TEST_CASE("the product overlays on a packaged tree")
  {
    const RecipeDirectory directory;
    const compose::recipe::Recipe recipe = directory.load(k_overlays);
    Tree tree = packaged_tree(true);
    const std::map<std::string, std::string> downloads = {
        {"https://downloads.example/tool", "#!/bin/sh\necho tool\n"}};
    const compose::overlay::OverlayReport report =
        compose::overlay::apply_overlays(recipe, downloads, k_epoch, tree);

    // The user: own group 1000, no password but not locked ("*"), in docker, home and .ssh.
    CHECK(text_of(tree, "etc/passwd").find("miget:x:1000:1000::/home/miget:/bin/bash\n") !=
          std::string::npos);
    CHECK(text_of(tree, "etc/group").find("miget:x:1000:") != std::string::npos);
    CHECK(text_of(tree, "etc/group").find("docker:x:101:miget\n") != std::string::npos);
    CHECK(text_of(tree, "etc/shadow").find("miget:*:") != std::string::npos);
    const auto home = tree.find("home/miget");
    REQUIRE(home);
    CHECK(home->mode == 0755);
    CHECK(home->uid == 1000);
    const auto ssh = tree.find("home/miget/.ssh");
    REQUIRE(ssh);
    CHECK(ssh->mode == 0700);
    CHECK(ssh->uid == 1000);
    CHECK(ssh->gid == 1000);
    const auto keys = tree.find("home/miget/.ssh/authorized_keys");
    REQUIRE(keys);
    CHECK(keys->mode == 0600);
    CHECK(keys->uid == 1000);
    CHECK(keys->gid == 1000);
    CHECK(keys->content.size() == 0);

    // sshd: a drop-in that sorts first, because the first value read wins.
    const std::string drop_in = text_of(tree, "etc/ssh/sshd_config.d/00-compose.conf");
    CHECK(drop_in.find("PermitRootLogin no\n") != std::string::npos);
    CHECK(drop_in.find("PasswordAuthentication no\n") != std::string::npos);
    CHECK(text_of(tree, "etc/ssh/sshd_config").starts_with("Include "));
    CHECK_FALSE(tree.exists("etc/ssh/ssh_host_ed25519_key"));

    // supervisord.conf at the configured path, programs in recipe order.
    const std::string conf = text_of(tree, "etc/supervisord.conf");
    CHECK(conf.find("nodaemon=true\n") != std::string::npos);
    CHECK(conf.find("[program:sshd]\ncommand=/usr/sbin/sshd -D -e\npriority=10\n") !=
          std::string::npos);
    CHECK(conf.find("[program:sshd]") < conf.find("[program:dockerd]"));
    CHECK(conf.find("startsecs=3\n") != std::string::npos);
    CHECK(conf.find("environment=DOCKER_OPTS=\"say \\\"100%%\\\"\"\n") != std::string::npos);

    // The init script: executable, mounts what PID 1 must, hands over with exec.
    const auto init = tree.find("usr/local/sbin/compose-init");
    REQUIRE(init);
    CHECK(init->mode == 0755);
    const std::string script(init->content.read());
    CHECK(script.starts_with("#!/bin/sh\n"));
    for (const char* needle :
         {"mount -t proc", "mount -t sysfs", "mount -t devtmpfs", "mount -t devpts",
          "/dev/shm", "mount -t cgroup2", "ln -s /proc/self/fd /dev/fd",
          "mkdir -p '/run/sshd'", "mkdir -p '/var/spool/cron'", "LABEL=miget-data",
          "'/var/lib/docker'", "chmod 700 '/home/miget/.ssh'", "ssh-keygen -A",
          "exec '/usr/bin/supervisord' '--nodaemon' '--configuration' '/etc/supervisord.conf'"})
      CHECK_MESSAGE(script.find(needle) != std::string::npos, needle);

    // Files of every kind, with their modes and owners by name or number.
    CHECK(text_of(tree, "etc/motd") == "welcome\n");
    const auto tool = tree.find("usr/local/bin/tool");
    REQUIRE(tool);
    CHECK(tool->mode == 0755);
    CHECK(tool->content.read() == "#!/bin/sh\necho tool\n");
    const auto config = tree.find("etc/app.conf");
    REQUIRE(config);
    CHECK(config->mode == 0640);
    CHECK(config->uid == 1000);
    CHECK(config->gid == 101);
    const auto link = tree.find("usr/local/bin/tool-link");
    REQUIRE(link);
    CHECK(link->type == FileType::symlink);
    CHECK(link->target == "tool");
    const auto data = tree.find("srv/data");
    REQUIRE(data);
    CHECK(data->type == FileType::directory);
    CHECK(data->uid == 1000);

    // Clean-up: docs and man pages go, copyright files stay with their directory.
    CHECK(tree.exists("usr/share/doc/sudo/copyright"));
    CHECK_FALSE(tree.exists("usr/share/doc/sudo/README"));
    CHECK_FALSE(tree.exists("usr/share/man/man1"));
    CHECK(tree.exists("usr/share/man"));

    // The inputs digest sees source files and downloads, not only the recipe bytes.
    const std::string inputs = [&] {
      std::string all;
      for (const std::string& line : report.inputs)
        all += line + "\n";
      return all;
    }();
    CHECK(inputs.find("/etc/motd") != std::string::npos);
    CHECK(inputs.find("/usr/local/bin/tool") != std::string::npos);
  }

  TEST_CASE("without an Include, the settings go first in sshd_config itself")
  {
    const RecipeDirectory directory;
    const compose::recipe::Recipe recipe =
        directory.load("[ssh]\npermit_root_login = false\npassword_authentication = false\n");
    Tree tree = packaged_tree(false);
    compose::overlay::apply_overlays(recipe, {}, k_epoch, tree);
    const std::string config = text_of(tree, "etc/ssh/sshd_config");
    CHECK(config.starts_with("# Written by compose"));
    CHECK(config.find("PermitRootLogin no") < config.find("PermitRootLogin yes"));
    CHECK_FALSE(tree.exists("etc/ssh/sshd_config.d"));
  }

  TEST_CASE("clean-up patterns match across '/' and spare what keep names")
  {
    Tree tree = packaged_tree(true);
    tree.add_directory("var", 0755);
    tree.add_directory("var/cache", 0755);
    tree.add_directory("var/cache/apk", 0755);
    tree.add_file("var/cache/apk/APKINDEX.1.tar.gz", "x");
    const std::size_t removed = compose::overlay::apply_cleanup(
        {"usr/share/doc/*", "var/cache/apk/*", "usr/share/man/*"},
        {"usr/share/doc/*/copyright"}, tree);
    CHECK(removed >= 4);
    CHECK(tree.exists("usr/share/doc/sudo/copyright"));
    CHECK_FALSE(tree.exists("var/cache/apk/APKINDEX.1.tar.gz"));
    CHECK(tree.exists("var/cache/apk"));
    CHECK(compose::overlay::apply_cleanup({"nothing/*"}, {}, tree) == 0);
  }

  TEST_CASE("overlays that cannot be applied say which and where")
  {
    struct Case {
      const char* overlays;
      bool with_sshd;
      const char* message;
    };
    const Case cases[] = {
        {"[[users]]\nname = \"miget\"\nuid = 1000\ngroups = [\"wheel\"]\n", true,
         "group 'wheel' does not exist in the image"},
        {"[[groups]]\nname = \"docker\"\nmembers = [\"nobody2\"]\n", true,
         "member 'nobody2' of group 'docker' is not a user of the image"},
        {"[[groups]]\nname = \"docker\"\ngid = 999\n", true,
         "group 'docker' already exists with gid 101"},
        {"[ssh]\npermit_root_login = false\n", false, "the image has no /etc/ssh/sshd_config"},
        {"[supervisor]\n[[supervisor.programs]]\nname = \"shim\"\n"
         "command = \"/usr/bin/containerd-shim -v\"\n",
         true, "program 'shim': /usr/bin/containerd-shim is not an executable file in the image"},
        {"[supervisor]\n[[supervisor.programs]]\nname = \"podman\"\ncommand = \"podman system service\"\n",
         true, "program 'podman': 'podman' is not on PATH in the image"},
        {"[init]\nexec = [\"/usr/bin/s6-svscan\"]\n", true,
         "[init] exec: /usr/bin/s6-svscan is not an executable file in the image"},
        {"[[files]]\npath = \"/etc/x\"\nurl = \"https://downloads.example/x\"\n"
         "sha256 = \"0000000000000000000000000000000000000000000000000000000000000000\"\n",
         true, "https://downloads.example/x"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.overlays);
      const RecipeDirectory directory;
      const compose::recipe::Recipe recipe = directory.load(c.overlays);
      Tree tree = packaged_tree(true);
      if (!c.with_sshd)
        tree.remove("etc/ssh/sshd_config");
      // Where Debian's docker.io puts it.
      tree.add_file("usr/sbin/containerd-shim", "\x7f" "ELF", 0755);
      try {
        compose::overlay::apply_overlays(recipe, {}, k_epoch, tree);
        FAIL("no error");
      } catch (const Error& e) {
        CHECK_MESSAGE(std::string(e.what()).find(c.message) != std::string::npos, e.what());
        CHECK_MESSAGE(e.where().find("image.toml:") != std::string::npos, e.where());
        if (std::string(c.message).find("containerd-shim") != std::string::npos)
          CHECK(e.hint() == "the installed packages put it at /usr/sbin/containerd-shim");
      }
    }
  }
}
