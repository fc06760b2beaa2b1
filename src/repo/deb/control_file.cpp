// deb822 parser; see control_file.hpp.
#include "repo/deb/control_file.hpp"

#include <algorithm>
#include <cctype>

#include "util/error.hpp"

namespace compose::repo::deb {

namespace {

bool same_name(std::string_view a, std::string_view b)
{
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text)
{
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

} // namespace

std::optional<std::string> Paragraph::get(std::string_view field) const
{
  for (const auto& [name, value] : m_fields)
    if (same_name(name, field))
      return value;
  return std::nullopt;
}

std::vector<Paragraph> parse_control(std::string_view text, const std::string& where,
                                     ControlErrors errors)
{
  std::vector<Paragraph> paragraphs;
  Paragraph current;
  std::size_t number = 0;
  auto close = [&] {
    if (!current.m_fields.empty())
      paragraphs.push_back(std::move(current));
    current = Paragraph{};
  };
  // Throws, or notes the problem in the paragraph and goes on with the next line.
  auto problem = [&](const std::string& message) {
    if (errors == ControlErrors::fail)
      throw Error(message, where + ":" + std::to_string(number));
    current.m_tolerated.push_back("line " + std::to_string(number) + ": " + message);
  };
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    ++number;
    if (trim(line).empty()) {
      close();
      continue;
    }
    if (line.front() == '#')
      continue; // comments, as dpkg allows in control files
    if (line.front() == ' ' || line.front() == '\t') {
      if (current.m_fields.empty()) {
        problem("continuation line before any field");
        continue;
      }
      const std::string_view rest = trim(line);
      current.m_fields.back().second += "\n" + std::string(rest == "." ? "" : rest);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      problem("malformed line " + quote(std::string(line.substr(0, 60))) +
              " (expected 'Field: value')");
      continue;
    }
    const std::string name(line.substr(0, colon));
    if (name.find_first_of(" \t") != std::string::npos) {
      problem("field name " + quote(name) + " contains white space");
      continue;
    }
    if (current.m_fields.empty())
      current.m_line = number;
    const std::string value(trim(line.substr(colon + 1)));
    const auto same = std::find_if(current.m_fields.begin(), current.m_fields.end(),
                                   [&](const auto& field) { return same_name(field.first, name); });
    if (same != current.m_fields.end()) {
      problem("field " + quote(name) + " appears twice in one paragraph");
      current.m_fields.erase(same); // apt reads the last one
    }
    current.m_fields.emplace_back(name, value);
  }
  close();
  return paragraphs;
}

} // namespace compose::repo::deb
