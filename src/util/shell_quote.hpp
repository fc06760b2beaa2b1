// Text as one sh word: single-quoted, each ' written as '\''. Safe for any bytes but NUL.
#pragma once

#include <string>
#include <string_view>

namespace compose {

std::string shell_quote(std::string_view text);

} // namespace compose
