// ${…} substitution in recipe strings: a fragment can say branch = "v${release}" and
// follow whatever release the including recipe chooses.
#include "recipe/document.hpp"
#include "util/error.hpp"

namespace compose::recipe::detail {

namespace {

const std::vector<std::string>& variable_names()
{
  static const std::vector<std::string> names{"name",         "release", "architecture",
                                              "distribution", "version", "point_release"};
  return names;
}

const std::string* lookup(const Variables& variables, std::string_view name)
{
  if (name == "name")
    return &variables.name;
  if (name == "release")
    return &variables.release;
  if (name == "architecture")
    return &variables.architecture;
  if (name == "distribution")
    return &variables.distribution;
  if (name == "version")
    return &variables.version;
  if (name == "point_release")
    return &variables.point_release;
  return nullptr;
}

} // namespace

std::string expand_string(const std::string& text, const Variables& variables,
                          const SourceLocation& where)
{
  std::string result;
  std::size_t position = 0;
  while (position < text.size()) {
    const std::size_t dollar = text.find('$', position);
    if (dollar == std::string::npos) {
      result.append(text, position);
      break;
    }
    result.append(text, position, dollar - position);
    // "$${" is the escape for a literal "${".
    if (text.compare(dollar, 3, "$${") == 0) {
      result += "${";
      position = dollar + 3;
      continue;
    }
    if (text.compare(dollar, 2, "${") != 0) {
      result += '$';
      position = dollar + 1;
      continue;
    }
    const std::size_t close = text.find('}', dollar + 2);
    if (close == std::string::npos)
      throw Error("unterminated '${' in " + quote(text), where.str(),
                  "write ${release} or similar; write $${ for a literal ${");
    const std::string name = text.substr(dollar + 2, close - dollar - 2);
    const std::string* value = lookup(variables, name);
    if (!value) {
      std::string hint;
      if (const std::string close_name = closest_match(name, variable_names()); !close_name.empty())
        hint = "did you mean ${" + close_name + "}? ";
      hint += "known variables: ${name}, ${release}, ${architecture}, ${distribution}, "
              "${version}, ${point_release}";
      throw Error("unknown variable " + quote("${" + name + "}") + " in " + quote(text),
                  where.str(), hint);
    }
    result += *value;
    position = close + 1;
  }
  return result;
}

void expand_variables(Node& node, const Variables& variables)
{
  switch (node.kind) {
  case NodeKind::string:
    node.text = expand_string(node.text, variables, node.where);
    break;
  case NodeKind::array:
    for (Node& item : node.items)
      expand_variables(item, variables);
    break;
  case NodeKind::table:
    for (Member& member : node.members)
      expand_variables(member.value, variables);
    break;
  default:
    break;
  }
}

} // namespace compose::recipe::detail
