// Which required services a /proc/*/comm listing lacks.
#include <doctest/doctest.h>

#include "boot/services.hpp"

using compose::boot::Engine;
using compose::boot::missing_services;

TEST_SUITE("boot::services")
{
  TEST_CASE("all running, with either cron name")
  {
    CHECK(missing_services("init\nsupervisord\nsshd\ncron\ndockerd\ncontainerd\n",
                           Engine::docker) == "");
    CHECK(missing_services("supervisord\r\nsshd\ncrond\npodman\n", Engine::podman) == "");
  }

  TEST_CASE("missing ones are listed in order; names match whole lines")
  {
    CHECK(missing_services("supervisord\nsshd\ncron\ndockerd\n", Engine::podman) == "podman");
    CHECK(missing_services("sshd-session\ncrontab\ndockerd-x\n", Engine::docker) ==
          "supervisord sshd cron|crond dockerd");
    CHECK(missing_services("", Engine::docker) == "supervisord sshd cron|crond dockerd");
  }
}
