// dpkg version comparison; see version.hpp.
#include "repo/deb/version.hpp"

#include <cctype>

#include "util/error.hpp"

namespace compose::repo::deb {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// dpkg's order(): '~' first, then the end of the string and digits, then letters, then the rest.
int order(char c)
{
  if (is_digit(c))
    return 0;
  if (is_alpha(c))
    return c;
  if (c == '~')
    return -1;
  if (c)
    return c + 256;
  return 0;
}

int compare_part(std::string_view a, std::string_view b)
{
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      const int ac = order(i < a.size() ? a[i] : '\0');
      const int bc = order(j < b.size() ? b[j] : '\0');
      if (ac != bc)
        return ac - bc;
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0')
      ++i;
    while (j < b.size() && b[j] == '0')
      ++j;
    while (i < a.size() && is_digit(a[i]) && j < b.size() && is_digit(b[j])) {
      if (!first_diff)
        first_diff = a[i] - b[j];
      ++i;
      ++j;
    }
    if (i < a.size() && is_digit(a[i]))
      return 1;
    if (j < b.size() && is_digit(b[j]))
      return -1;
    if (first_diff)
      return first_diff;
  }
  return 0;
}

bool allowed_upstream(char c)
{
  return is_digit(c) || is_alpha(c) || c == '.' || c == '+' || c == '-' || c == '~' || c == ':';
}

} // namespace

Version parse_version(std::string_view text, const std::string& where)
{
  const std::string original(text);
  auto bad = [&](const std::string& why) {
    return Error("invalid Debian version " + quote(original) + ": " + why, where);
  };
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  if (text.empty())
    throw bad("empty");
  Version version;
  if (const std::size_t colon = text.find(':'); colon != std::string_view::npos) {
    const std::string_view epoch = text.substr(0, colon);
    if (epoch.empty() || epoch.size() > 9)
      throw bad("bad epoch");
    for (char c : epoch)
      if (!is_digit(c))
        throw bad("epoch is not a number");
    version.epoch = std::stoul(std::string(epoch));
    text.remove_prefix(colon + 1);
  }
  if (const std::size_t dash = text.rfind('-'); dash != std::string_view::npos) {
    version.revision = std::string(text.substr(dash + 1));
    text = text.substr(0, dash);
    if (version.revision.empty())
      throw bad("empty revision");
    for (char c : version.revision)
      if (!(is_digit(c) || is_alpha(c) || c == '.' || c == '+' || c == '~'))
        throw bad("invalid character in the revision");
  }
  if (text.empty())
    throw bad("empty upstream version");
  if (!is_digit(text.front()))
    throw bad("upstream version must start with a digit");
  for (char c : text)
    if (!allowed_upstream(c))
      throw bad("invalid character " + quote(std::string(1, c)));
  version.upstream = std::string(text);
  return version;
}

bool is_valid_version(std::string_view text)
{
  try {
    parse_version(text, "");
    return true;
  } catch (const Error&) {
    return false;
  }
}

int compare_versions(std::string_view a, std::string_view b)
{
  const Version x = parse_version(a, "");
  const Version y = parse_version(b, "");
  if (x.epoch != y.epoch)
    return x.epoch < y.epoch ? -1 : 1;
  if (const int c = compare_part(x.upstream, y.upstream))
    return c < 0 ? -1 : 1;
  const int c = compare_part(x.revision, y.revision);
  return (c > 0) - (c < 0);
}

bool relation_holds(std::string_view version, std::string_view relation, std::string_view wanted)
{
  const int c = compare_versions(version, wanted);
  if (relation == "<<")
    return c < 0;
  if (relation == "<=" || relation == "<")
    return c <= 0;
  if (relation == "=")
    return c == 0;
  if (relation == ">=" || relation == ">")
    return c >= 0;
  if (relation == ">>")
    return c > 0;
  throw Error("unknown version relation " + quote(std::string(relation)));
}

} // namespace compose::repo::deb
