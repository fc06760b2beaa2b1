// Relationship field parsing; see relation.hpp.
#include "repo/deb/relation.hpp"

#include "repo/deb/version.hpp"
#include "util/error.hpp"

namespace compose::repo::deb {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view text)
{
  while (!text.empty() && is_space(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_space(text.back()))
    text.remove_suffix(1);
  return text;
}

bool is_name_char(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' ||
         (c >= 'A' && c <= 'Z'); // upper case is not policy, but dpkg accepts it in indexes
}

std::vector<std::string_view> split(std::string_view text, char separator)
{
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i)
    if (i == text.size() || text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

Relation parse_one(std::string_view text, RelationKind kind, const std::string& where)
{
  const std::string shown = std::string(trim(text));
  auto fail = [&](const std::string& what) {
    return Error("bad relation " + quote(shown) + ": " + what, where);
  };
  auto unusable = [&](const std::string& what) {
    return UnusableRelation("bad relation " + quote(shown) + ": " + what, where);
  };
  text = trim(text);
  Relation relation;
  std::size_t i = 0;
  while (i < text.size() && is_name_char(text[i]))
    ++i;
  relation.name = std::string(text.substr(0, i));
  if (relation.name.empty())
    throw fail("expected a package name");
  if (i < text.size() && text[i] == ':') {
    const std::size_t start = ++i;
    while (i < text.size() && (is_name_char(text[i])))
      ++i;
    relation.arch_qualifier = std::string(text.substr(start, i - start));
    if (relation.arch_qualifier.empty())
      throw unusable("expected an architecture after ':'");
  }
  std::string_view rest = trim(text.substr(i));
  if (!rest.empty() && (rest.front() == '[' || rest.front() == '<'))
    throw fail("architecture or build-profile restrictions belong in source packages only");
  if (!rest.empty()) {
    if (rest.front() != '(' || rest.back() != ')')
      throw fail("expected '(operator version)' after the name");
    std::string_view inside = trim(rest.substr(1, rest.size() - 2));
    std::size_t op_length = 0;
    while (op_length < inside.size() &&
           (inside[op_length] == '<' || inside[op_length] == '>' || inside[op_length] == '='))
      ++op_length;
    std::string op(inside.substr(0, op_length));
    if (op == "<")
      op = "<=";
    else if (op == ">")
      op = ">=";
    else if (op.empty())
      op = "="; // dpkg: a bare version is an exact match
    if (op != "<<" && op != "<=" && op != "=" && op != ">=" && op != ">>")
      throw unusable("unknown operator " + quote(op));
    relation.op = op;
    relation.version = std::string(trim(inside.substr(op_length)));
    if (!is_valid_version(relation.version))
      throw unusable("bad version " + quote(relation.version));
    if (kind == RelationKind::provides && op != "=")
      throw unusable("Provides may only use '='");
  }
  return relation;
}

} // namespace

std::string Relation::text() const
{
  std::string text = name;
  if (!arch_qualifier.empty())
    text += ":" + arch_qualifier;
  if (!op.empty())
    text += " (" + op + " " + version + ")";
  return text;
}

std::vector<RelationGroup> parse_relations(std::string_view text, RelationKind kind,
                                           const std::string& where)
{
  std::vector<RelationGroup> groups;
  if (trim(text).empty())
    return groups;
  const std::vector<std::string_view> group_texts = split(text, ',');
  for (std::size_t g = 0; g < group_texts.size(); ++g) {
    const std::string_view group_text = group_texts[g];
    if (trim(group_text).empty()) {
      // A trailing comma is tolerated by dpkg; an empty group in the middle is not.
      if (g + 1 == group_texts.size() && g > 0)
        continue;
      throw Error("empty relation in " + quote(std::string(trim(text))), where);
    }
    RelationGroup group;
    const std::vector<std::string_view> alternatives = split(group_text, '|');
    if (alternatives.size() > 1 && kind != RelationKind::depends)
      throw UnusableRelation("alternatives ('|') are not allowed here: " +
                      quote(std::string(trim(group_text))),
                  where);
    for (std::string_view alternative : alternatives) {
      if (trim(alternative).empty())
        throw Error("empty alternative in " + quote(std::string(trim(group_text))), where);
      group.push_back(parse_one(alternative, kind, where));
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

bool version_satisfies(const Relation& relation, std::string_view version)
{
  if (relation.op.empty())
    return true;
  return relation_holds(version, relation.op, relation.version);
}

} // namespace compose::repo::deb
