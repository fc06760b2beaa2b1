// Parses TOML with toml++ and copies it into the recipe stage's Node tree, keeping the
// file:line:column of every key and value; also the small Node helpers.
#include <sstream>

#include <toml++/toml.h>

#include "recipe/document.hpp"
#include "recipe/toml_nesting.hpp"
#include "util/error.hpp"

namespace compose::recipe::detail {

namespace {

SourceLocation location_of(const toml::source_region& region, const std::string& display)
{
  return SourceLocation{display, region.begin.line, region.begin.column};
}

template <typename Printable> std::string toml_spelling(const Printable& value)
{
  std::ostringstream out;
  out << value;
  return out.str();
}

Node convert(const toml::node& source, const std::string& display)
{
  Node node;
  node.where = location_of(source.source(), display);
  switch (source.type()) {
  case toml::node_type::string:
    node.kind = NodeKind::string;
    node.text = source.as_string()->get();
    break;
  case toml::node_type::integer:
    node.kind = NodeKind::integer;
    node.integer = source.as_integer()->get();
    break;
  case toml::node_type::floating_point:
    node.kind = NodeKind::floating;
    node.floating = source.as_floating_point()->get();
    break;
  case toml::node_type::boolean:
    node.kind = NodeKind::boolean;
    node.boolean = source.as_boolean()->get();
    break;
  case toml::node_type::date:
    node.kind = NodeKind::date_time;
    node.text = toml_spelling(source.as_date()->get());
    break;
  case toml::node_type::time:
    node.kind = NodeKind::date_time;
    node.text = toml_spelling(source.as_time()->get());
    break;
  case toml::node_type::date_time:
    node.kind = NodeKind::date_time;
    node.text = toml_spelling(source.as_date_time()->get());
    break;
  case toml::node_type::array:
    node.kind = NodeKind::array;
    for (const toml::node& element : *source.as_array())
      node.items.push_back(convert(element, display));
    break;
  case toml::node_type::table:
    node.kind = NodeKind::table;
    // toml::table is a std::map, so members arrive sorted by key.
    for (const auto& [key, value] : *source.as_table())
      node.members.push_back(Member{std::string(key.str()), location_of(key.source(), display),
                                    convert(value, display)});
    break;
  case toml::node_type::none:
    throw Error("TOML value of unknown type", node.where.str());
  }
  return node;
}

} // namespace

Node parse_toml(std::string_view bytes, const std::string& display)
{
  check_toml_nesting(bytes, display);
  try {
    toml::table table = toml::parse(bytes, display);
    Node root = convert(table, display);
    // The document's own table starts at the top of the file.
    root.where = SourceLocation{display, 1, 1};
    return root;
  } catch (const toml::parse_error& error) {
    const SourceLocation where = location_of(error.source(), display);
    throw Error("malformed TOML: " + std::string(error.description()), where.str());
  }
}

const Member* Node::find_member(std::string_view key) const
{
  for (const Member& member : members)
    if (member.key == key)
      return &member;
  return nullptr;
}

const Node* Node::find(std::string_view key) const
{
  const Member* member = find_member(key);
  return member ? &member->value : nullptr;
}

Node* Node::find(std::string_view key)
{
  for (Member& member : members)
    if (member.key == key)
      return &member.value;
  return nullptr;
}

const char* kind_description(NodeKind kind)
{
  switch (kind) {
  case NodeKind::string:
    return "a string";
  case NodeKind::integer:
    return "an integer";
  case NodeKind::floating:
    return "a float";
  case NodeKind::boolean:
    return "a boolean";
  case NodeKind::date_time:
    return "a date or time";
  case NodeKind::array:
    return "an array";
  case NodeKind::table:
    return "a table";
  }
  return "a value";
}

bool same_value(const Node& left, const Node& right)
{
  if (left.kind != right.kind)
    return false;
  switch (left.kind) {
  case NodeKind::string:
  case NodeKind::date_time:
    return left.text == right.text;
  case NodeKind::integer:
    return left.integer == right.integer;
  case NodeKind::floating:
    return left.floating == right.floating;
  case NodeKind::boolean:
    return left.boolean == right.boolean;
  case NodeKind::array:
    if (left.items.size() != right.items.size())
      return false;
    for (std::size_t i = 0; i < left.items.size(); ++i)
      if (!same_value(left.items[i], right.items[i]))
        return false;
    return true;
  case NodeKind::table:
    if (left.members.size() != right.members.size())
      return false;
    for (const Member& member : left.members) {
      const Node* other = right.find(member.key);
      if (!other || !same_value(member.value, *other))
        return false;
    }
    return true;
  }
  return false;
}

} // namespace compose::recipe::detail
