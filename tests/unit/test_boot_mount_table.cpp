// Finding a device in a guest's /proc/mounts, escapes and odd lines included.
#include <doctest/doctest.h>

#include <string>

#include "boot/mount_table.hpp"

using compose::boot::find_mount;

TEST_SUITE("boot::mount_table")
{
  TEST_CASE("the data disk's mount point and type")
  {
    const std::string mounts = "/dev/vda / ext4 rw,relatime 0 0\n"
                               "proc /proc proc rw,nosuid 0 0\n"
                               "/dev/vdb /var/lib/docker ext4 rw,relatime 0 0\n"
                               "/dev/vdb /var/lib/docker/overlay2 ext4 rw 0 0\n";
    const auto entry = find_mount(mounts, "/dev/vdb");
    REQUIRE(entry);
    CHECK(entry->mount_point == "/var/lib/docker");
    CHECK(entry->type == "ext4");
  }

  TEST_CASE("octal escapes in the mount point are decoded")
  {
    const auto entry = find_mount("/dev/vdb /srv/my\\040data\\134x ext4 rw 0 0\n", "/dev/vdb");
    REQUIRE(entry);
    CHECK(entry->mount_point == "/srv/my data\\x");
  }

  TEST_CASE("no match: another device, a prefix of the name, short or empty lines")
  {
    struct Case {
      const char* name;
      const char* mounts;
    };
    const Case cases[] = {
        {"other device", "/dev/vda / ext4 rw 0 0\n"},
        {"longer name", "/dev/vdb1 /data ext4 rw 0 0\n"},
        {"short line", "/dev/vdb /data\n"},
        {"empty", ""},
    };
    for (const Case& none : cases) {
      SUBCASE(none.name) { CHECK_FALSE(find_mount(none.mounts, "/dev/vdb")); }
    }
  }
}
