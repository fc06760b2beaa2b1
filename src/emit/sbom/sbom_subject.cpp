// Identifiers and values both SBOM writers share; see sbom_subject.hpp.
#include "emit/sbom/sbom_subject.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <tuple>

#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::emit::sbom {

namespace {

// purl: everything but unreserved characters is percent-encoded in names and versions.
// ':' stays as written, as in the spec's Debian examples ("attr@1:2.4.47-2").
std::string percent_encode(std::string_view text)
{
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~' || c == ':';
    if (unreserved) {
      encoded += c;
    } else {
      encoded += '%';
      encoded += k_hex[byte >> 4];
      encoded += k_hex[byte & 0x0F];
    }
  }
  return encoded;
}

bool is_idstring(std::string_view text)
{
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.';
  });
}

// A license identifier with an optional "or later" '+', or a (document-qualified)
// LicenseRef.
bool is_license_id(std::string_view token)
{
  if (token.starts_with("DocumentRef-")) {
    const std::size_t colon = token.find(':');
    if (colon == std::string_view::npos || !is_idstring(token.substr(0, colon)))
      return false;
    token.remove_prefix(colon + 1);
    return token.starts_with("LicenseRef-") && is_idstring(token);
  }
  if (token.ends_with('+'))
    token.remove_suffix(1);
  return is_idstring(token);
}

bool is_operator(std::string_view token)
{
  return token == "AND" || token == "OR" || token == "WITH";
}

// Recursive descent over the tokens of a license expression; OR binds loosest, then AND,
// then WITH.
class ExpressionParser {
public:
  explicit ExpressionParser(std::vector<std::string> tokens) : m_tokens(std::move(tokens)) {}

  bool valid()
  {
    return parse_disjunction() && m_next == m_tokens.size();
  }

private:
  bool accept(std::string_view token)
  {
    if (m_next < m_tokens.size() && m_tokens[m_next] == token) {
      ++m_next;
      return true;
    }
    return false;
  }

  bool parse_disjunction()
  {
    if (!parse_conjunction())
      return false;
    while (accept("OR"))
      if (!parse_conjunction())
        return false;
    return true;
  }

  bool parse_conjunction()
  {
    if (!parse_term())
      return false;
    while (accept("AND"))
      if (!parse_term())
        return false;
    return true;
  }

  bool parse_term()
  {
    if (accept("("))
      return parse_disjunction() && accept(")");
    if (!parse_identifier())
      return false;
    return !accept("WITH") || parse_identifier();
  }

  bool parse_identifier()
  {
    if (m_next >= m_tokens.size() || is_operator(m_tokens[m_next]) ||
        !is_license_id(m_tokens[m_next]))
      return false;
    ++m_next;
    return true;
  }

  std::vector<std::string> m_tokens;
  std::size_t m_next = 0;
};

} // namespace

std::string package_url(const Subject& subject, const Component& component)
{
  const std::string type = subject.format == PackageFormat::apk ? "apk" : "deb";
  return "pkg:" + type + "/" + percent_encode(subject.distribution) + "/" +
         percent_encode(component.name) + "@" + percent_encode(component.version) +
         "?arch=" + percent_encode(component.architecture);
}

std::string document_uuid(std::string_view inputs_digest)
{
  // RFC 4122 section 4.3: SHA-1 over the namespace ID and the name; the URL namespace,
  // with a name that says what the digest is.
  static constexpr std::array<unsigned char, 16> k_url_namespace = {
      0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
      0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
  Hasher hasher(DigestAlgorithm::sha1);
  hasher.update(k_url_namespace.data(), k_url_namespace.size());
  hasher.update("compose:inputs:sha256:");
  hasher.update(inputs_digest);
  std::string bytes = hasher.finish().substr(0, 16);
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0F) | 0x50);
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3F) | 0x80);
  const std::string hex = to_hex(bytes);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

std::string utc_timestamp(std::int64_t epoch)
{
  using namespace std::chrono;
  const sys_seconds time{seconds{epoch}};
  const sys_days day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss<seconds> clock{time - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return text;
}

std::vector<const Component*> sorted_components(const Subject& subject)
{
  std::vector<const Component*> sorted;
  for (const Component& component : subject.components)
    sorted.push_back(&component);
  std::sort(sorted.begin(), sorted.end(), [](const Component* a, const Component* b) {
    return std::tie(a->name, a->architecture, a->version) <
           std::tie(b->name, b->architecture, b->version);
  });
  return sorted;
}

std::vector<const Component*> dependencies_of(const std::vector<const Component*>& sorted,
                                              const Component& component)
{
  std::vector<const Component*> targets;
  for (const std::string& name : component.depends_on) {
    const auto named = [&](const Component* candidate) { return candidate->name == name; };
    const auto found = std::find_if(sorted.begin(), sorted.end(), named);
    if (found == sorted.end())
      throw Error("package " + quote(component.name) + " depends on " + quote(name) +
                      ", which is not among the installed packages",
                  "SBOM", "the dependency edges must name installed packages only");
    if (*found != &component && std::find(targets.begin(), targets.end(), *found) == targets.end())
      targets.push_back(*found);
  }
  // Pointers into one sorted vector: its order is the document order.
  std::sort(targets.begin(), targets.end(), [&](const Component* a, const Component* b) {
    return std::find(sorted.begin(), sorted.end(), a) < std::find(sorted.begin(), sorted.end(), b);
  });
  return targets;
}

std::optional<std::string> spdx_license(const Subject& subject, const Component& component)
{
  if (subject.format != PackageFormat::apk || !is_license_expression(component.license))
    return std::nullopt;
  // Alpine writes "custom" for a license that is not on the SPDX list (which has no such
  // identifier); an expression that contains it is no SPDX expression.
  std::string words = component.license;
  std::replace_if(words.begin(), words.end(), [](char c) { return c == '(' || c == ')'; }, ' ');
  std::istringstream stream(words);
  std::string word;
  while (stream >> word)
    if (word == "custom")
      return std::nullopt;
  return component.license;
}

std::optional<Contact> parse_contact(std::string_view text)
{
  const auto trim = [](std::string_view value) {
    while (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ')
      value.remove_suffix(1);
    return std::string(value);
  };
  Contact contact;
  const std::size_t open = text.find('<');
  const std::size_t close = text.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && open < close) {
    contact.name = trim(text.substr(0, open));
    contact.email = trim(text.substr(open + 1, close - open - 1));
  } else {
    contact.name = trim(text);
  }
  if (contact.name.empty() && contact.email.empty())
    return std::nullopt;
  return contact;
}

bool is_license_expression(std::string_view license)
{
  std::vector<std::string> tokens;
  std::string word;
  const auto flush = [&] {
    if (!word.empty())
      tokens.push_back(std::move(word));
    word.clear();
  };
  for (const char c : license) {
    if (c == ' ' || c == '\t' || c == '\n') {
      flush();
    } else if (c == '(' || c == ')') {
      flush();
      tokens.emplace_back(1, c);
    } else {
      word += c;
    }
  }
  flush();
  return ExpressionParser(std::move(tokens)).valid();
}

} // namespace compose::emit::sbom
