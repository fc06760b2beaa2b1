// utc_format(); see utc_text.hpp.
#include "util/utc_text.hpp"

#include <ctime>

namespace compose {

std::string utc_format(std::int64_t seconds, const char* format)
{
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[64];
  return std::string(text, std::strftime(text, sizeof text, format, &parts));
}

} // namespace compose
