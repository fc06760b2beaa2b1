// utc_text(); see utc_text.hpp.
#include "util/utc_text.hpp"

#include <ctime>

namespace compose {

std::string utc_text(std::int64_t seconds)
{
  const std::time_t time = static_cast<std::time_t>(seconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
  return text;
}

} // namespace compose
