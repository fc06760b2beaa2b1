// Finding the kernel: the newest cloud kernel by version order, else any, else an error.
#include <doctest/doctest.h>

#include "boot/kernel_files.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

using compose::Error;
using compose::boot::find_kernel;

TEST_SUITE("boot::kernel_files")
{
  TEST_CASE("the newest cloud kernel wins, in version order")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-kernel-");
    const std::filesystem::path boot = directory.path() / "boot";
    std::filesystem::create_directories(boot);
    for (const char* name : {"vmlinuz-6.1.0-56-cloud-amd64", "vmlinuz-6.1.0-100-cloud-amd64",
                             "vmlinuz-6.1.0-200-amd64", "config-6.1.0-300-cloud-amd64"})
      compose::write_file_atomic(boot / name, "kernel");
    const auto files = find_kernel({}, boot, "/lib/modules");
    CHECK(files.kernel == boot / "vmlinuz-6.1.0-100-cloud-amd64");
    CHECK(files.release == "6.1.0-100-cloud-amd64");
    CHECK(files.module_directory == "/lib/modules/6.1.0-100-cloud-amd64");

    std::filesystem::remove(boot / "vmlinuz-6.1.0-56-cloud-amd64");
    std::filesystem::remove(boot / "vmlinuz-6.1.0-100-cloud-amd64");
    CHECK(find_kernel({}, boot, "/m").release == "6.1.0-200-amd64");
  }

  TEST_CASE("a given kernel keeps its release when named vmlinuz-RELEASE")
  {
    const compose::TempPath directory = compose::make_temp_directory("compose-kernel-");
    compose::write_file_atomic(directory.path() / "bzImage", "kernel");
    CHECK(find_kernel(directory.path() / "bzImage", "/none").release.empty());
    CHECK_THROWS_WITH_AS(find_kernel(directory.path() / "missing", "/none"),
                         doctest::Contains("no kernel at"), Error);
    CHECK_THROWS_WITH_AS(find_kernel({}, directory.path(), "/m"),
                         doctest::Contains("no kernel in "), Error);
  }
}
