// Times as text, always in UTC: "2026-07-11 10:16:37 UTC" in messages, and the other forms
// the formats ask for, all through one strftime call.
#pragma once

#include <cstdint>
#include <string>

namespace compose {

// strftime `format` of `seconds` since the epoch, in UTC.
std::string utc_format(std::int64_t seconds, const char* format);

// "2026-07-11 10:16:37 UTC", for messages.
inline std::string utc_text(std::int64_t seconds)
{
  return utc_format(seconds, "%Y-%m-%d %H:%M:%S UTC");
}

} // namespace compose
