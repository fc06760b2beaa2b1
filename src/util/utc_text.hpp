// Times in messages: "2026-07-11 10:16:37 UTC", the same in every message that shows one.
#pragma once

#include <cstdint>
#include <string>

namespace compose {

std::string utc_text(std::int64_t seconds);

} // namespace compose
