// apk dependency tokens; see dependency.hpp.
#include "repo/apk/dependency.hpp"

#include "util/error.hpp"

namespace compose::repo::apk {

namespace {

bool is_op_char(char c) { return c == '<' || c == '>' || c == '=' || c == '~'; }

Op op_from(std::string_view text)
{
  static constexpr std::pair<std::string_view, Op> ops[] = {
      {"=", Op::equal},          {"<", Op::less},         {">", Op::greater},
      {"<=", Op::less_equal},    {">=", Op::greater_equal}, {"~", Op::fuzzy},
      {">~", Op::greater_fuzzy}, {"<~", Op::less_fuzzy},  {"><", Op::checksum},
      {"=~", Op::fuzzy}};
  for (const auto& [spelling, op] : ops)
    if (text == spelling)
      return op;
  return Op::any;
}

bool valid_name_char(char c)
{
  return static_cast<unsigned char>(c) > 0x20 && c != 0x7f && !is_op_char(c) && c != '@' &&
         c != '!';
}

} // namespace

std::string Dependency::text() const
{
  return (conflict ? "!" : "") + name + (tag.empty() ? "" : "@" + tag) + op_text(op) + version;
}

Dependency parse_dependency(std::string_view token, const std::string& where)
{
  const std::string original(token);
  auto bad = [&](const std::string& why) {
    return Error("invalid dependency " + quote(original) + ": " + why, where);
  };
  Dependency dependency;
  if (token.starts_with("!")) {
    dependency.conflict = true;
    token.remove_prefix(1);
  }
  std::size_t i = 0;
  while (i < token.size() && valid_name_char(token[i]))
    ++i;
  dependency.name = std::string(token.substr(0, i));
  if (dependency.name.empty())
    throw bad("no package name");
  if (i < token.size() && token[i] == '@') {
    const std::size_t start = ++i;
    while (i < token.size() && valid_name_char(token[i]))
      ++i;
    dependency.tag = std::string(token.substr(start, i - start));
    if (dependency.tag.empty())
      throw bad("empty repository tag after '@'");
  }
  if (i == token.size())
    return dependency;
  const std::size_t op_start = i;
  while (i < token.size() && is_op_char(token[i]))
    ++i;
  const std::string_view op_text_read = token.substr(op_start, i - op_start);
  dependency.op = op_from(op_text_read);
  if (dependency.op == Op::any)
    throw bad("unknown relation " + quote(std::string(op_text_read)));
  dependency.version = std::string(token.substr(i));
  if (dependency.version.empty())
    throw bad("no version after " + quote(std::string(op_text_read)));
  if (dependency.op != Op::checksum && !is_valid_version(dependency.version))
    throw bad(quote(dependency.version) + " is not a valid apk version");
  return dependency;
}

std::vector<Dependency> parse_dependencies(std::string_view list, const std::string& where)
{
  std::vector<Dependency> dependencies;
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == '\t'))
      ++i;
    const std::size_t start = i;
    while (i < list.size() && list[i] != ' ' && list[i] != '\t')
      ++i;
    if (i > start)
      dependencies.push_back(parse_dependency(list.substr(start, i - start), where));
  }
  return dependencies;
}

} // namespace compose::repo::apk
