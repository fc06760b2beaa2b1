// The init of a direct boot: a script the kernel can carry whole to the image's /bin/sh,
// which adds the key for every user, allows root key logins and starts the image's init.
#include <doctest/doctest.h>

#include <string>

#include "boot/direct_init.hpp"
#include "boot/kernel_command_line.hpp"
#include "util/error.hpp"

using compose::Error;
using compose::boot::direct_init;
using compose::boot::DirectInit;

TEST_SUITE("boot::direct_init")
{
  TEST_CASE("the key for each user, root logins, then the first init the image has")
  {
    const DirectInit init =
        direct_init({"miget", "root"}, "ssh-ed25519 AAAAC3Nza compose-boot", "");
    CHECK(init.init == "/bin/sh");
    CHECK(init.arguments == std::vector<std::string>{"-c", "set -f; eval $COMPOSE_SETUP"});
    REQUIRE(init.environment.size() == 1);
    CHECK(init.environment[0].first == "COMPOSE_SETUP");
    const std::string& script = init.environment[0].second;
    CHECK(script.find("for u in miget root; do") != std::string::npos);
    CHECK(script.find("echo 'ssh-ed25519 AAAAC3Nza compose-boot' >>$h/.ssh/authorized_keys") !=
          std::string::npos);
    CHECK(script.find("chmod 700 $h/.ssh") != std::string::npos);
    CHECK(script.find("chmod 600 $h/.ssh/authorized_keys") != std::string::npos);
    CHECK(script.find("sed -i '1i PermitRootLogin prohibit-password'") != std::string::npos);
    CHECK(script.find("for i in /usr/local/sbin/compose-init /sbin/init; do") !=
          std::string::npos);
    CHECK(script.find("exec env -i HOME=/ TERM=linux $i") != std::string::npos);
    // One line the kernel keeps whole: no quote of its own, no line break.
    CHECK(script.find_first_of("\"\n\t") == std::string::npos);
    // And it fits on the command line with the rest.
    compose::boot::KernelCommandLine line;
    line.init = init.init;
    line.init_environment = init.environment;
    line.init_arguments = init.arguments;
    CHECK(compose::boot::format_kernel_command_line(line).size() < 1800);
  }

  TEST_CASE("a given init, no root among the users: no sshd_config change")
  {
    const DirectInit init = direct_init({"miget"}, "ssh-ed25519 AAAA k", "/sbin/init");
    const std::string& script = init.environment[0].second;
    CHECK(script.find("for i in /sbin/init; do") != std::string::npos);
    CHECK(script.find("PermitRootLogin") == std::string::npos);
  }

  TEST_CASE("a key with a quote is refused")
  {
    CHECK_THROWS_WITH_AS(direct_init({"miget"}, "ssh-ed25519 AAAA it's", ""),
                         doctest::Contains("the public key holds a quote"), Error);
  }
}
