// The module closure over a generated modules.dep/softdep/alias/builtin set.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "boot/module_closure.hpp"
#include "util/error.hpp"

using compose::Error;
using compose::boot::ModuleDatabase;
using compose::boot::parse_module_database;
using compose::boot::resolve_module_closure;

namespace {

// Shaped like a Debian cloud kernel's tables: virtio_blk needs virtio and virtio_ring,
// libcrc32c has a softdep on "crc32c", an alias served by crc32c-intel.
const char* const k_dep = R"(kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio.ko: kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/drivers/char/hw_random/virtio-rng.ko: kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/net/bridge/br_netfilter.ko: kernel/net/bridge/bridge.ko kernel/net/802/stp.ko kernel/net/llc/llc.ko
kernel/net/bridge/bridge.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko
kernel/net/802/stp.ko: kernel/net/llc/llc.ko
kernel/net/llc/llc.ko:
kernel/arch/x86/crypto/crc32c-intel.ko:
kernel/lib/libcrc32c.ko:
kernel/net/netfilter/nf_tables.ko: kernel/net/netfilter/nfnetlink.ko kernel/lib/libcrc32c.ko
kernel/net/netfilter/nfnetlink.ko:
kernel/net/netfilter/xt_MASQUERADE.ko: kernel/net/netfilter/nf_nat.ko
kernel/net/netfilter/nf_nat.ko:
kernel/fs/post_me.ko:
kernel/fs/wants_post.ko:
)";
const char* const k_softdep = R"(# Soft dependencies extracted from modules themselves.
softdep libcrc32c pre: crc32c
softdep wants_post post: post-me
softdep nf_tables pre: no-such-thing
)";
const char* const k_alias = R"(# Aliases extracted from modules themselves.
alias crypto-crc32c crc32c_intel
alias crc32c crc32c_intel
alias crc32c crc32c_generic
alias fs-ext4 ext4
alias virtio:d00000002v* virtio_blk
)";
const char* const k_builtin = "kernel/fs/ext4/ext4.ko\nkernel/crypto/crc32c_generic.ko\n";

ModuleDatabase database()
{
  return parse_module_database(k_dep, k_softdep, k_alias, k_builtin);
}

} // namespace

TEST_SUITE("boot::module_closure")
{
  TEST_CASE("dependencies come first, each module once")
  {
    const std::vector<std::string> order =
        resolve_module_closure(database(), {"virtio_blk", "virtio_rng", "br_netfilter"});
    CHECK(order == std::vector<std::string>{
                       "kernel/drivers/virtio/virtio_ring.ko",
                       "kernel/drivers/virtio/virtio.ko",
                       "kernel/drivers/block/virtio_blk.ko",
                       "kernel/drivers/char/hw_random/virtio-rng.ko",
                       "kernel/net/llc/llc.ko",
                       "kernel/net/802/stp.ko",
                       "kernel/net/bridge/bridge.ko",
                       "kernel/net/bridge/br_netfilter.ko",
                   });
  }

  TEST_CASE("pre: softdeps through aliases load before, post: after; unknown softdeps skip")
  {
    const std::vector<std::string> order =
        resolve_module_closure(database(), {"nf_tables", "wants_post"});
    CHECK(order == std::vector<std::string>{
                       "kernel/arch/x86/crypto/crc32c-intel.ko",
                       "kernel/lib/libcrc32c.ko",
                       "kernel/net/netfilter/nfnetlink.ko",
                       "kernel/net/netfilter/nf_tables.ko",
                       "kernel/fs/wants_post.ko",
                       "kernel/fs/post_me.ko",
                   });
  }

  TEST_CASE("built-in modules and aliases to them need nothing; '-' and '_' are one")
  {
    CHECK(resolve_module_closure(database(), {"ext4", "fs-ext4", "crc32c_generic"}).empty());
    CHECK(resolve_module_closure(database(), {"virtio-rng", "xt_MASQUERADE"}) ==
          std::vector<std::string>{"kernel/drivers/virtio/virtio_ring.ko",
                                   "kernel/drivers/virtio/virtio.ko",
                                   "kernel/drivers/char/hw_random/virtio-rng.ko",
                                   "kernel/net/netfilter/nf_nat.ko",
                                   "kernel/net/netfilter/xt_MASQUERADE.ko"});
  }

  TEST_CASE("unknown modules are listed together")
  {
    CHECK_THROWS_WITH_AS(resolve_module_closure(database(), {"virtio_blk", "zfs", "aufs"}),
                         doctest::Contains("kernel has no module 'zfs', 'aufs'"), Error);
  }

  TEST_CASE("unreadable lines name their file and line")
  {
    struct Case {
      const char* name;
      const char* dep;
      const char* softdep;
      const char* alias;
      const char* message;
    };
    const Case cases[] = {
        {"dep without colon", "kernel/a.ko\n", "", "", "line is not 'module.ko: dependencies…' (at modules.dep:1)"},
        {"softdep keyword", "", "# c\nsoftdp a pre: b\n", "", "(at modules.softdep:2)"},
        {"alias fields", "", "", "alias only-two\n", "line is not 'alias pattern module' (at modules.alias:1)"},
    };
    for (const Case& bad : cases) {
      SUBCASE(bad.name)
      {
        CHECK_THROWS_WITH_AS(parse_module_database(bad.dep, bad.softdep, bad.alias, ""),
                             doctest::Contains(bad.message), Error);
      }
    }
  }
}
