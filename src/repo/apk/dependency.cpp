// apk dependency tokens; see dependency.hpp.
#include "repo/apk/dependency.hpp"

#include "util/error.hpp"

namespace compose::repo::apk {

namespace {

bool is_op_char(char c) { return c == '<' || c == '>' || c == '=' || c == '~'; }

// apk 2.14 reads the relation as a set of bits ('<' less, '>' greater, '=' equal, '~' fuzzy
// equal), so "=~" is "~" and "<>" is "><". A set no Op spells ("<=>") is refused.
Op op_from(std::string_view text)
{
  enum : unsigned { less = 1, equal = 2, greater = 4, fuzzy = 8 };
  unsigned mask = 0;
  for (char c : text)
    mask |= c == '<' ? less : c == '>' ? greater : c == '=' ? equal : fuzzy | equal;
  switch (mask) {
  case less: return Op::less;
  case greater: return Op::greater;
  case equal: return Op::equal;
  case less | equal: return Op::less_equal;
  case greater | equal: return Op::greater_equal;
  case fuzzy | equal: return Op::fuzzy;
  case greater | fuzzy | equal: return Op::greater_fuzzy;
  case less | fuzzy | equal: return Op::less_fuzzy;
  case less | greater: return Op::checksum;
  default: return Op::any;
  }
}

} // namespace

std::string Dependency::text() const
{
  return (conflict ? "!" : "") + name + (tag.empty() ? "" : "@" + tag) + op_text(op) + version;
}

// As apk 2.14's apk_dep_parse: an optional '!', the name up to the first relation character
// (so "cmd:kdevelop!" is a name), the relation, then a version apk's grammar accepts; the
// name splits at its first '@' into name and repository tag.
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
  while (i < token.size() && !is_op_char(token[i]))
    ++i;
  std::string_view name = token.substr(0, i);
  if (const std::size_t at = name.find('@'); at != std::string_view::npos) {
    dependency.tag = std::string(name.substr(at + 1));
    name = name.substr(0, at);
    if (dependency.tag.empty())
      throw bad("empty repository tag after '@'");
  }
  dependency.name = std::string(name);
  if (dependency.name.empty())
    throw bad("no package name");
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
