// Reads the host's TSC rate; see tcg_clock.hpp.
#include "boot/tcg_clock.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>

namespace compose::boot {

std::optional<unsigned> tsc_khz_from_cpuinfo(const std::string& cpuinfo)
{
  std::istringstream lines(cpuinfo);
  std::string line;
  std::optional<double> mhz;
  bool constant = false;
  while (std::getline(lines, line)) {
    if (line.empty() && mhz) // the end of the first CPU's block
      break;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    const std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    const std::string value = line.substr(colon + 1);
    if (key == "cpu MHz" && !mhz) {
      char* end = nullptr;
      const double parsed = std::strtod(value.c_str(), &end);
      if (end != value.c_str() && parsed > 0 && parsed < 100000)
        mhz = parsed;
    } else if (key == "flags") {
      constant = (" " + value + " ").find(" constant_tsc ") != std::string::npos;
    }
  }
  if (!mhz || !constant)
    return std::nullopt;
  return static_cast<unsigned>(std::lround(*mhz * 1000));
}

} // namespace compose::boot
