// check_toml_nesting(); see toml_nesting.hpp. A lexical pass, not a parser: it follows strings
// (basic, literal, multi-line), comments, brackets and where keys are, which is all the depth
// depends on; toml++ still reports every syntax error itself.
#include "recipe/toml_nesting.hpp"

#include <vector>

#include "util/error.hpp"

namespace compose::recipe::detail {

void check_toml_nesting(std::string_view text, const std::string& display)
{
  std::size_t line = 1;
  std::vector<char> open;     // '[' (array) or '{' (inline table), innermost last
  std::vector<std::size_t> key_parts; // dotted parts of the key being read at each level
  bool in_key = true;         // reading a key (line start, after '{' or ',' in a table)
  bool in_header = false;     // inside [table] or [[array of tables]]
  std::size_t header_parts = 0;
  std::size_t key_dots = 0;   // dots of the current key, at the current level
  auto fail = [&] {
    throw Error("the recipe nests deeper than " + std::to_string(k_max_toml_depth) +
                    " levels (tables, dotted keys, arrays or inline tables)",
                display + ":" + std::to_string(line), "flatten the recipe; no field needs this");
  };
  auto depth = [&] {
    std::size_t total = open.size() + key_dots;
    for (std::size_t parts : key_parts)
      total += parts;
    return total;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      if (open.empty()) {
        in_key = true;
        key_dots = 0;
      }
      continue;
    }
    if (c == '#') { // a comment runs to the end of the line
      while (i + 1 < text.size() && text[i + 1] != '\n')
        ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      const bool triple = text.substr(i, 3) == std::string(3, c);
      const std::string_view end = triple ? text.substr(i, 3) : text.substr(i, 1);
      i += end.size();
      while (i < text.size() && text.substr(i, end.size()) != end) {
        if (text[i] == '\n')
          ++line;
        if (c == '"' && text[i] == '\\')
          ++i; // an escaped character, perhaps a quote
        ++i;
      }
      i += end.size() - 1;
      continue;
    }
    if (in_header) {
      if (c == '.' && ++header_parts > k_max_toml_depth)
        fail();
      if (c == ']')
        in_header = false;
      continue;
    }
    if (in_key) {
      if (c == '[' && open.empty() && key_dots == 0) {
        in_header = true;
        header_parts = 1;
      } else if (c == '.') {
        ++key_dots;
        if (depth() > k_max_toml_depth)
          fail();
      } else if (c == '=') {
        in_key = false;
      } else if (c == '}' && !open.empty()) {
        open.pop_back(); // an empty inline table
        key_parts.pop_back();
        key_dots = 0;
        in_key = !open.empty() && open.back() == '{';
      }
      continue;
    }
    if (c == '[' || c == '{') {
      key_parts.push_back(key_dots);
      key_dots = 0;
      open.push_back(c);
      if (depth() > k_max_toml_depth)
        fail();
      in_key = c == '{';
    } else if ((c == ']' || c == '}') && !open.empty()) {
      open.pop_back();
      key_parts.pop_back();
    } else if (c == ',' && !open.empty() && open.back() == '{') {
      in_key = true;
      key_dots = 0;
    }
  }
}

} // namespace compose::recipe::detail
