// exact_json_text() and report_json_text(); see json_output.hpp.
#include "util/json_output.hpp"

#include "util/error.hpp"
#include "util/printable.hpp"

#include <utility>
#include <vector>

namespace compose {

std::string first_invalid_utf8(const nlohmann::json& value)
{
  // A work list, not recursion: nesting comes from data (it is bounded when read, but this
  // does not have to know that).
  std::vector<std::pair<const nlohmann::json*, nlohmann::json::json_pointer>> pending{
      {&value, nlohmann::json::json_pointer()}};
  while (!pending.empty()) {
    auto [node, pointer] = std::move(pending.back());
    pending.pop_back();
    if (node->is_string()) {
      if (!is_utf8(node->get_ref<const std::string&>()))
        return pointer.to_string().empty() ? "/" : pointer.to_string();
    } else if (node->is_object()) {
      // Reversed, so that the first member is looked at first.
      for (auto it = node->rbegin(); it != node->rend(); ++it) {
        if (!is_utf8(it.key()))
          return (pointer / printable(it.key())).to_string() + " (the key)";
        pending.emplace_back(&it.value(), pointer / it.key());
      }
    } else if (node->is_array()) {
      for (std::size_t i = node->size(); i-- > 0;)
        pending.emplace_back(&(*node)[i], pointer / i);
    }
  }
  return {};
}

std::string exact_json_text(const nlohmann::json& value, int indent, const std::string& what)
{
  const std::string bad = first_invalid_utf8(value);
  if (!bad.empty())
    throw Error("a value is not valid UTF-8, so it cannot be written exactly",
                what + " at " + printable(bad),
                "the text came from an index, a package or the recipe; JSON holds only UTF-8");
  return value.dump(indent);
}

std::string report_json_text(const nlohmann::json& value, int indent)
{
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

} // namespace compose
