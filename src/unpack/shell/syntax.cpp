// Small questions about the syntax tree both shell policies ask; see syntax.hpp.
#include "unpack/shell/syntax.hpp"

#include <algorithm>
#include <cctype>

namespace compose::unpack::shell {

std::optional<std::string> assignment_name(const Word& word)
{
  if (word.parts.empty() || word.parts[0].kind != WordPart::Kind::literal || word.parts[0].quoted)
    return std::nullopt;
  const std::string& text = word.parts[0].text;
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 ||
      std::isdigit(static_cast<unsigned char>(text[0])) ||
      !std::all_of(text.begin(), text.begin() + static_cast<long>(equals), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      }))
    return std::nullopt;
  return text.substr(0, equals);
}

std::vector<WordPart> assignment_value(const Word& word)
{
  std::vector<WordPart> parts = word.parts;
  const std::size_t equals = parts[0].text.find('=');
  parts[0].text.erase(0, equals + 1);
  if (parts[0].text.empty() && parts.size() > 1)
    parts.erase(parts.begin());
  return parts;
}

bool is_literal(const Word& word, std::string_view text)
{
  return word.parts.size() == 1 && word.parts[0].kind == WordPart::Kind::literal &&
         !word.parts[0].quoted && word.parts[0].text == text;
}

void for_each_simple_command(const Command& command,
                             const std::function<void(const Command&)>& visit)
{
  if (command.kind == Command::Kind::simple)
    visit(command);
  for_each_simple_command(command.body, visit);
  for (const Branch& branch : command.branches) {
    for_each_simple_command(branch.condition, visit);
    for_each_simple_command(branch.body, visit);
  }
  if (command.otherwise)
    for_each_simple_command(*command.otherwise, visit);
  for (const CaseItem& item : command.items)
    for_each_simple_command(item.body, visit);
  if (command.function_body)
    for_each_simple_command(*command.function_body, visit);
}

void for_each_simple_command(const List& list, const std::function<void(const Command&)>& visit)
{
  for (const AndOr& and_or : list.items)
    for (const Pipeline& pipeline : and_or.pipelines)
      for (const Command& command : pipeline.commands)
        for_each_simple_command(command, visit);
}

} // namespace compose::unpack::shell
