// The host's TSC rate from /proc/cpuinfo, for a TCG guest on microvm.
#include <doctest/doctest.h>

#include <string>

#include "boot/tcg_clock.hpp"

using compose::boot::tsc_khz_from_cpuinfo;

TEST_SUITE("boot::tcg_clock")
{
  TEST_CASE("the first CPU's cpu MHz in kHz, with constant_tsc only")
  {
    const std::string cpu0 = "processor\t: 0\ncpu MHz\t\t: 2096.017\n"
                             "flags\t\t: fpu tsc constant_tsc nonstop_tsc\n\n";
    const std::string cpu1 = "processor\t: 1\ncpu MHz\t\t: 3000.000\n"
                             "flags\t\t: fpu tsc constant_tsc\n\n";
    CHECK(tsc_khz_from_cpuinfo(cpu0 + cpu1) == 2096017U);
    CHECK_FALSE(tsc_khz_from_cpuinfo("processor\t: 0\ncpu MHz\t\t: 2096.017\n"
                                     "flags\t\t: fpu tsc nonstop_tsc\n\n"));
    CHECK_FALSE(tsc_khz_from_cpuinfo("processor\t: 0\nflags\t\t: constant_tsc\n"));
    CHECK_FALSE(tsc_khz_from_cpuinfo("cpu MHz\t\t: fast\nflags\t\t: constant_tsc\n"));
    CHECK_FALSE(tsc_khz_from_cpuinfo(""));
  }
}
