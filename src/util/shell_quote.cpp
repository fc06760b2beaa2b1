// shell_quote(); see shell_quote.hpp.
#include "util/shell_quote.hpp"

namespace compose {

std::string shell_quote(std::string_view text)
{
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string_view("'\\''") : std::string_view(&c, 1);
  return quoted + "'";
}

} // namespace compose
