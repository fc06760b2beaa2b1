// DEP-5 copyright files; see copyright_file.hpp.
#include "repo/deb/copyright_file.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include "repo/deb/control_file.hpp"
#include "util/error.hpp"

namespace compose::repo::deb {

namespace {

// "GPL-2+\n Full text…" -> "GPL-2+": the synopsis is the first line, the rest is the text.
std::optional<std::string> synopsis(const Paragraph& paragraph)
{
  const std::optional<std::string> license = paragraph.get("License");
  if (!license)
    return std::nullopt;
  const std::string first = license->substr(0, license->find('\n'));
  if (first.empty())
    return std::nullopt;
  return first;
}

bool covers_everything(const Paragraph& paragraph)
{
  std::istringstream patterns(paragraph.value("Files"));
  std::string pattern;
  while (patterns >> pattern)
    if (pattern == "*")
      return true;
  return false;
}

} // namespace

std::optional<std::string> declared_license(std::string_view copyright, const std::string& where)
{
  std::vector<Paragraph> paragraphs;
  try {
    paragraphs = parse_control(copyright, where);
  } catch (const Error&) {
    return std::nullopt; // free-form text that happens to start like a field
  }
  if (paragraphs.empty())
    return std::nullopt;
  // The format URL has moved over the years (dep.debian.net/deps/dep5, then
  // www.debian.org/doc/packaging-manuals/copyright-format/1.0/).
  const std::string format = paragraphs.front().value("Format");
  if (format.find("copyright-format/1.0") == std::string::npos &&
      format.find("deps/dep5") == std::string::npos)
    return std::nullopt;
  if (std::optional<std::string> header = synopsis(paragraphs.front()))
    return header;
  const auto everything = std::find_if(paragraphs.begin() + 1, paragraphs.end(), covers_everything);
  if (everything == paragraphs.end())
    return std::nullopt;
  return synopsis(*everything);
}

} // namespace compose::repo::deb
