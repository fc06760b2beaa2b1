// check_json_nesting(); see json_nesting.hpp.
#include "util/json_nesting.hpp"

#include "util/error.hpp"

namespace compose {

void check_json_nesting(std::string_view text, const std::string& where)
{
  std::size_t depth = 0, line = 1;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (c == '\n')
      ++line;
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > k_max_json_depth)
        throw Error("JSON nested deeper than " + std::to_string(k_max_json_depth) + " levels",
                    where + ":" + std::to_string(line), "no file compose reads nests like this");
    } else if ((c == ']' || c == '}') && depth > 0)
      --depth;
  }
}

} // namespace compose
