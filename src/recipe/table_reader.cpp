// TableReader and the shared checks of the recipe schema: unknown keys, value types,
// choices from a fixed list, and the closest-match suggestion for typos.
#include "recipe/table_reader.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace compose::recipe::detail {

namespace {

// Edit distance counting a swap of neighbours as one edit (optimal string alignment), so
// "lable" is one edit from "label"; words here are short keys and enum values.
std::size_t edit_distance(std::string_view left, std::string_view right)
{
  const std::size_t width = right.size() + 1;
  std::vector<std::size_t> cost((left.size() + 1) * width);
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return cost[i * width + j]; };
  for (std::size_t i = 0; i <= left.size(); ++i)
    at(i, 0) = i;
  for (std::size_t j = 0; j <= right.size(); ++j)
    at(0, j) = j;
  for (std::size_t i = 1; i <= left.size(); ++i)
    for (std::size_t j = 1; j <= right.size(); ++j) {
      const std::size_t substitution = at(i - 1, j - 1) + (left[i - 1] == right[j - 1] ? 0 : 1);
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, substitution});
      if (i > 1 && j > 1 && left[i - 1] == right[j - 2] && left[i - 2] == right[j - 1])
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
    }
  return at(left.size(), right.size());
}

} // namespace

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates)
{
  // Up to a third of the word may be wrong (at least one character, at most three), so
  // "pakages" finds "packages" but "foo" does not find "tag".
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::string best;
  std::size_t best_distance = limit + 1;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string join(const std::vector<std::string>& words, const std::string& separator)
{
  std::string text;
  for (const std::string& word : words)
    text += (text.empty() ? "" : separator) + word;
  return text;
}

void wrong_type(const Node& value, const std::string& described, NodeKind expected)
{
  throw Error("wrong type for " + described + ": expected " + kind_description(expected) +
                  ", found " + kind_description(value.kind),
              value.where.str());
}

void check_choice(const Node& value, const std::string& what,
                  const std::vector<std::string>& allowed)
{
  if (std::find(allowed.begin(), allowed.end(), value.text) != allowed.end())
    return;
  std::string hint;
  if (const std::string close = closest_match(value.text, allowed); !close.empty())
    hint = "did you mean " + quote(close) + "? ";
  hint += "expected one of: " + join(allowed);
  throw Error("unknown " + what + " " + quote(value.text), value.where.str(), hint);
}

TableReader::TableReader(const Node& table, std::string path, std::vector<std::string> allowed,
                         bool array_entry)
    : m_table(table), m_path(std::move(path)), m_array_entry(array_entry)
{
  for (const Member& member : m_table.members) {
    if (std::find(allowed.begin(), allowed.end(), member.key) != allowed.end())
      continue;
    std::string hint;
    if (const std::string close = closest_match(member.key, allowed); !close.empty())
      hint = "did you mean " + quote(close) + "? ";
    hint += "allowed keys: " + join(allowed);
    throw Error("unknown key " + quote(member.key) + " in " + title(), member.key_where.str(),
                hint);
  }
}

std::string TableReader::title() const
{
  if (m_path.empty())
    return "the top-level table";
  if (m_array_entry)
    return "a [[" + m_path + "]] entry";
  return "[" + m_path + "]";
}

std::string TableReader::key_name(std::string_view key) const
{
  return m_path.empty() ? std::string(key) : m_path + "." + std::string(key);
}

const Node* TableReader::get(std::string_view key, NodeKind kind) const
{
  const Node* value = m_table.find(key);
  if (value && value->kind != kind)
    wrong_type(*value, quote(key_name(key)), kind);
  return value;
}

const Node& TableReader::need(std::string_view key, NodeKind kind, const std::string& hint) const
{
  const Node* value = get(key, kind);
  if (!value)
    throw Error("missing required key " + quote(std::string(key)) + " in " + title(), where().str(),
                hint);
  return *value;
}

std::optional<std::string> TableReader::string(std::string_view key) const
{
  const Node* value = get(key, NodeKind::string);
  if (!value)
    return std::nullopt;
  return value->text;
}

std::string TableReader::required_string(std::string_view key, const std::string& hint) const
{
  const Node& value = need(key, NodeKind::string, hint);
  if (value.text.empty())
    fail(value, quote(key_name(key)) + " is empty");
  return value.text;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t minimum,
                                                 std::int64_t maximum) const
{
  const Node* value = get(key, NodeKind::integer);
  if (!value)
    return std::nullopt;
  if (value->integer < minimum || value->integer > maximum)
    fail(*value, quote(key_name(key)) + " is out of range: " + std::to_string(value->integer),
         "expected " + std::to_string(minimum) + " to " + std::to_string(maximum));
  return value->integer;
}

std::vector<const Node*> TableReader::string_items(std::string_view key) const
{
  std::vector<const Node*> items;
  const Node* array = get(key, NodeKind::array);
  if (!array)
    return items;
  for (const Node& item : array->items) {
    if (item.kind != NodeKind::string)
      wrong_type(item, "entry " + std::to_string(items.size() + 1) + " of " + quote(key_name(key)),
                 NodeKind::string);
    if (item.text.empty())
      fail(item, "empty string in " + quote(key_name(key)));
    items.push_back(&item);
  }
  return items;
}

std::vector<std::string> TableReader::strings(std::string_view key) const
{
  std::vector<std::string> values;
  for (const Node* item : string_items(key))
    values.push_back(item->text);
  return values;
}

std::map<std::string, std::string> TableReader::string_table(std::string_view key) const
{
  std::map<std::string, std::string> values;
  const Node* table = get(key, NodeKind::table);
  if (!table)
    return values;
  for (const Member& member : table->members) {
    if (member.value.kind != NodeKind::string)
      wrong_type(member.value, quote(key_name(key) + "." + member.key), NodeKind::string);
    values[member.key] = member.value.text;
  }
  return values;
}

void TableReader::fail(const Node& value, const std::string& message, const std::string& hint) const
{
  throw Error(message, value.where.str(), hint);
}

} // namespace compose::recipe::detail
