// The kernel command line: defaults, the key as base64, and values that would break it.
#include <doctest/doctest.h>

#include <string>

#include "boot/kernel_command_line.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"

using compose::Error;
using compose::boot::format_kernel_command_line;
using compose::boot::KernelCommandLine;

TEST_SUITE("boot::kernel_command_line")
{
  TEST_CASE("defaults: serial console, /dev/vda, no init= (the initramfs picks), user network")
  {
    CHECK(format_kernel_command_line(KernelCommandLine{}) ==
          "console=ttyS0 root=/dev/vda rw panic=-1 "
          "ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off");
  }

  TEST_CASE("the key travels base64-encoded for every user; extra words are appended")
  {
    KernelCommandLine line;
    line.init = "/usr/local/sbin/compose-init";
    line.ip.clear();
    line.users = {"miget", "root"};
    line.public_key = "ssh-ed25519 AAAAC3Nza key@test";
    line.extra = {"quiet"};
    CHECK(format_kernel_command_line(line) ==
          "console=ttyS0 root=/dev/vda rw init=/usr/local/sbin/compose-init panic=-1 "
          "compose.users=miget,root compose.key=" +
              compose::base64_encode("ssh-ed25519 AAAAC3Nza key@test") + " quiet");
  }

  TEST_CASE("init's environment and arguments: quoted when spaced, before nothing else")
  {
    KernelCommandLine line;
    line.init = "/bin/sh";
    line.ip.clear();
    line.init_environment = {{"COMPOSE_SETUP", "echo a=b; exec /sbin/init"}, {"MODE", "x"}};
    line.init_arguments = {"-c", "set -f; eval $COMPOSE_SETUP"};
    CHECK(format_kernel_command_line(line) ==
          "console=ttyS0 root=/dev/vda rw init=/bin/sh panic=-1 "
          "COMPOSE_SETUP=\"echo a=b; exec /sbin/init\" MODE=x -c \"set -f; eval $COMPOSE_SETUP\"");
    // No "--": QEMU's virtio_mmio.device= words come after ours and must reach the kernel.
    CHECK(format_kernel_command_line(line).find(" -- ") == std::string::npos);
  }

  TEST_CASE("init words the kernel would not pass on whole are refused")
  {
    const auto refused = [](KernelCommandLine line, const char* message) {
      CHECK_THROWS_WITH_AS(format_kernel_command_line(line), doctest::Contains(message), Error);
    };
    KernelCommandLine line;
    line.init_arguments = {"a.b"};
    refused(line, "init argument 'a.b' holds a '.' or '='");
    line.init_arguments = {"x=1"};
    refused(line, "init argument 'x=1' holds a '.' or '='");
    line.init_arguments = {"say \"hi\""};
    refused(line, "is empty or holds a '\"', tab or line break");
    line.init_arguments.clear();
    line.init_environment = {{"A", "two\nlines"}};
    refused(line, "environment value");
    line.init_environment = {{"compose.key", "x"}};
    refused(line, "environment name 'compose.key' is not a shell variable name");
  }

  TEST_CASE("values that would break the line are refused")
  {
    struct Case {
      const char* name;
      KernelCommandLine line;
      const char* message;
    };
    KernelCommandLine spaced_init;
    spaced_init.init = "/sbin/my init";
    KernelCommandLine relative_init;
    relative_init.init = "sbin/init";
    KernelCommandLine bad_user;
    bad_user.users = {"mi get"};
    bad_user.public_key = "ssh-ed25519 AAAA";
    KernelCommandLine no_user;
    no_user.public_key = "ssh-ed25519 AAAA";
    KernelCommandLine long_line;
    long_line.extra = {std::string(2100, 'x')};
    KernelCommandLine quoted_extra;
    quoted_extra.extra = {"a=\"b"};
    const Case cases[] = {
        {"space in init", spaced_init, "init '/sbin/my init' is empty or holds whitespace"},
        {"relative init", relative_init, "init 'sbin/init' is not an absolute path"},
        {"bad user", bad_user, "user 'mi get' is not an account name"},
        {"key without user", no_user, "a key is given but no user to add it for"},
        {"too long", long_line, "the kernel keeps at most 2047"},
        {"quote", quoted_extra, "extra argument 'a=\"b' is empty or holds whitespace or quotes"},
    };
    for (const Case& bad : cases) {
      SUBCASE(bad.name)
      {
        CHECK_THROWS_WITH_AS(format_kernel_command_line(bad.line),
                             doctest::Contains(bad.message), Error);
      }
    }
  }
}
