// deb822 parser; see control_file.hpp.
#include "repo/deb/control_file.hpp"

#include <algorithm>
#include <limits>

#include "util/error.hpp"

namespace compose::repo::deb {

namespace {

// Field names are ASCII; a locale's tolower would only be slower.
char ascii_lower(char c)
{
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_name(std::string_view a, std::string_view b)
{
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
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

std::uint32_t offset(std::size_t size)
{
  if (size > std::numeric_limits<std::uint32_t>::max())
    throw Error("a control paragraph larger than 4 GiB");
  return static_cast<std::uint32_t>(size);
}

} // namespace

Paragraph::Paragraph(std::string text, std::vector<std::uint32_t> ends, std::size_t line,
                     std::vector<std::string> tolerated)
    : m_text(std::move(text)), m_ends(std::move(ends)), m_line(line),
      m_tolerated(std::move(tolerated))
{
  const bool fits = m_ends.size() % 2 == 0 && std::is_sorted(m_ends.begin(), m_ends.end()) &&
                    (m_ends.empty() ? m_text.empty() : m_ends.back() == m_text.size());
  if (!fits)
    throw Error("the stored paragraph's field offsets do not fit its text");
}

Paragraph::Field Paragraph::field(std::size_t i) const
{
  const std::string_view text = m_text;
  const std::size_t start = i == 0 ? 0 : m_ends[2 * i - 1];
  const std::size_t name_end = m_ends[2 * i];
  return {text.substr(start, name_end - start), text.substr(name_end, m_ends[2 * i + 1] - name_end)};
}

std::vector<Paragraph::Field> Paragraph::fields() const
{
  std::vector<Field> fields;
  fields.reserve(size());
  for (std::size_t i = 0; i < size(); ++i)
    fields.push_back(field(i));
  return fields;
}

std::optional<std::string> Paragraph::get(std::string_view name) const
{
  for (std::size_t i = 0; i < size(); ++i) {
    const auto [field_name, value] = field(i);
    if (same_name(field_name, name))
      return std::string(value);
  }
  return std::nullopt;
}

void Paragraph::add(std::string_view name, std::string_view value)
{
  m_text += name;
  m_ends.push_back(offset(m_text.size()));
  m_text += value;
  m_ends.push_back(offset(m_text.size()));
}

void Paragraph::append_to_last(std::string_view more)
{
  m_text += more;
  m_ends.back() = offset(m_text.size());
}

void Paragraph::erase(std::size_t i)
{
  const std::uint32_t start = i == 0 ? 0 : m_ends[2 * i - 1];
  const std::uint32_t length = m_ends[2 * i + 1] - start;
  m_text.erase(start, length);
  m_ends.erase(m_ends.begin() + static_cast<std::ptrdiff_t>(2 * i),
               m_ends.begin() + static_cast<std::ptrdiff_t>(2 * i + 2));
  for (std::size_t k = 2 * i; k < m_ends.size(); ++k)
    m_ends[k] -= length;
}

ControlReader::ControlReader(std::string where, ControlErrors errors,
                             std::function<void(Paragraph&&)> each)
    : m_where(std::move(where)), m_errors(errors), m_each(std::move(each))
{
}

void ControlReader::feed(std::string_view text)
{
  if (!m_partial.empty()) {
    const std::size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      m_partial += text;
      return;
    }
    m_partial += text.substr(0, end);
    line(m_partial);
    m_partial.clear();
    text.remove_prefix(end + 1);
  }
  for (std::size_t end = text.find('\n'); end != std::string_view::npos; end = text.find('\n')) {
    line(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  m_partial = text;
}

void ControlReader::finish()
{
  if (!m_partial.empty())
    line(m_partial);
  m_partial.clear();
  close();
}

// m_current grows in place and keeps its capacity for the next paragraph; what is handed on
// is an exact-size copy, as an index keeps tens of thousands of them.
void ControlReader::close()
{
  if (m_current.size() > 0)
    m_each(Paragraph(m_current.m_text, m_current.m_ends, m_current.m_line,
                     std::move(m_current.m_tolerated)));
  m_current.m_text.clear();
  m_current.m_ends.clear();
  m_current.m_line = 0;
  m_current.m_tolerated.clear();
}

// Throws, or notes the problem in the paragraph and goes on with the next line.
void ControlReader::problem(const std::string& message)
{
  if (m_errors == ControlErrors::fail)
    throw Error(message, m_where + ":" + std::to_string(m_number));
  m_current.m_tolerated.push_back("line " + std::to_string(m_number) + ": " + message);
}

void ControlReader::line(std::string_view line)
{
  ++m_number;
  if (trim(line).empty()) {
    close();
    return;
  }
  if (line.front() == '#')
    return; // comments, as dpkg allows in control files
  if (line.front() == ' ' || line.front() == '\t') {
    if (m_current.size() == 0) {
      problem("continuation line before any field");
      return;
    }
    const std::string_view rest = trim(line);
    m_current.append_to_last("\n");
    m_current.append_to_last(rest == "." ? "" : rest);
    return;
  }
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    problem("malformed line " + quote(std::string(line.substr(0, 60))) +
            " (expected 'Field: value')");
    return;
  }
  const std::string_view name = line.substr(0, colon);
  if (name.find_first_of(" \t") != std::string_view::npos) {
    problem("field name " + quote(std::string(name)) + " contains white space");
    return;
  }
  if (m_current.size() == 0)
    m_current.m_line = m_number;
  for (std::size_t i = 0; i < m_current.size(); ++i) {
    if (same_name(m_current.field(i).first, name)) {
      problem("field " + quote(std::string(name)) + " appears twice in one paragraph");
      m_current.erase(i); // apt reads the last one
      break;
    }
  }
  m_current.add(name, trim(line.substr(colon + 1)));
}

std::vector<Paragraph> parse_control(std::string_view text, const std::string& where,
                                     ControlErrors errors)
{
  std::vector<Paragraph> paragraphs;
  ControlReader reader(where, errors,
                       [&](Paragraph&& paragraph) { paragraphs.push_back(std::move(paragraph)); });
  reader.feed(text);
  reader.finish();
  return paragraphs;
}

} // namespace compose::repo::deb
