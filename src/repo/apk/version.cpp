// Alpine version comparison (apk-tools 2.14 semantics, apk.md §7). A version is read as
// tokens: the first number, dotted components (a leading zero makes a component a
// "fraction": 1.01 < 1.1), one optional letter, _suffix[number] parts, and -rN. Tokens are
// compared left to right; when one version runs out, the longer one is greater unless its
// next token is a pre-release suffix.
#include "repo/apk/version.hpp"

#include <cstdint>
#include <vector>

namespace compose::repo::apk {

namespace {

// Token kinds in apk's order: a kind closer to the end of a version sorts lower when the
// other version still has tokens (1.0 < 1.0.0, 1.0 < 1.0-r0, 1.0_rc < 1.0_rc0).
enum Kind : int { digit = 1, letter = 2, suffix = 3, suffix_number = 4, revision = 5, end = 6, invalid = 7 };

struct Token {
  Kind kind = end;
  std::int64_t value = 0;  // number, letter, suffix rank, or a component's leading zeros
  std::int64_t second = 0; // components: the digits after the zeros (-1 when none)
};

// Pre-release suffixes rank below zero (they sort before the bare version).
int suffix_rank(std::string_view word)
{
  static constexpr std::pair<std::string_view, int> ranks[] = {
      {"alpha", -4}, {"beta", -3}, {"pre", -2}, {"rc", -1},
      {"cvs", 1},    {"svn", 2},   {"git", 3},  {"hg", 4}, {"p", 5}};
  for (const auto& [name, rank] : ranks)
    if (word == name)
      return rank;
  return 0;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::int64_t read_number(std::string_view text, std::size_t& i)
{
  std::int64_t value = 0;
  while (i < text.size() && is_digit(text[i])) {
    if (value < (INT64_MAX - 9) / 10)
      value = value * 10 + (text[i] - '0');
    ++i;
  }
  return value;
}

std::vector<Token> tokenise(std::string_view text)
{
  std::vector<Token> tokens;
  std::size_t i = 0;
  auto fail = [&] {
    tokens.push_back({invalid, 0, 0});
    return tokens;
  };
  if (text.empty() || !is_digit(text[0]))
    return fail();
  tokens.push_back({digit, read_number(text, i), -1});
  Kind last = digit;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '.' && last == digit) {
      ++i;
      if (i >= text.size() || !is_digit(text[i]))
        return fail();
      std::int64_t zeros = 0;
      while (i < text.size() && text[i] == '0') {
        ++zeros;
        ++i;
      }
      const bool more = i < text.size() && is_digit(text[i]);
      tokens.push_back({digit, -zeros, more ? read_number(text, i) : -1});
    } else if (c >= 'a' && c <= 'z' && last == digit) {
      tokens.push_back({letter, c, 0});
      last = letter;
      ++i;
    } else if (c == '_' && last != revision) {
      std::size_t start = ++i;
      while (i < text.size() && text[i] >= 'a' && text[i] <= 'z')
        ++i;
      const int rank = suffix_rank(text.substr(start, i - start));
      if (rank == 0)
        return fail();
      tokens.push_back({suffix, rank, 0});
      last = suffix;
      if (i < text.size() && is_digit(text[i])) {
        tokens.push_back({suffix_number, read_number(text, i), 0});
        last = suffix_number;
      }
    } else if (c == '-' && last != revision && i + 2 < text.size() && text[i + 1] == 'r' &&
               is_digit(text[i + 2])) {
      i += 2;
      tokens.push_back({revision, read_number(text, i), 0});
      last = revision;
    } else {
      return fail();
    }
  }
  tokens.push_back({end, 0, 0});
  return tokens;
}

int compare(std::string_view a, std::string_view b, bool fuzzy)
{
  const std::vector<Token> ta = tokenise(a);
  const std::vector<Token> tb = tokenise(b);
  std::size_t i = 0;
  for (; i < ta.size() && i < tb.size(); ++i) {
    const Token& x = ta[i];
    const Token& y = tb[i];
    if (x.kind != y.kind || x.kind >= end)
      break;
    if (x.value != y.value)
      return x.value < y.value ? -1 : 1;
    if (x.second != y.second)
      return x.second < y.second ? -1 : 1;
  }
  const Token& x = ta[std::min(i, ta.size() - 1)];
  const Token& y = tb[std::min(i, tb.size() - 1)];
  if (x.kind == y.kind)
    return 0;
  // apk 2.14's fuzzy match: equal when every common token is equal.
  if (fuzzy && (x.kind == end || y.kind == end))
    return 0;
  if (x.kind == suffix && x.value < 0)
    return -1;
  if (y.kind == suffix && y.value < 0)
    return 1;
  if (x.kind > y.kind)
    return -1;
  if (y.kind > x.kind)
    return 1;
  return 0;
}

} // namespace

const char* op_text(Op op)
{
  switch (op) {
  case Op::any: return "";
  case Op::equal: return "=";
  case Op::less: return "<";
  case Op::greater: return ">";
  case Op::less_equal: return "<=";
  case Op::greater_equal: return ">=";
  case Op::fuzzy: return "~";
  case Op::greater_fuzzy: return ">~";
  case Op::less_fuzzy: return "<~";
  case Op::checksum: return "><";
  }
  return "?";
}

int compare_versions(std::string_view a, std::string_view b) { return compare(a, b, false); }

bool is_valid_version(std::string_view version)
{
  const std::vector<Token> tokens = tokenise(version);
  return tokens.back().kind == end;
}

bool version_satisfies(std::string_view version, Op op, std::string_view wanted)
{
  switch (op) {
  case Op::any: return true;
  case Op::checksum: return false;
  case Op::equal: return compare(version, wanted, false) == 0;
  case Op::less: return compare(version, wanted, false) < 0;
  case Op::greater: return compare(version, wanted, false) > 0;
  case Op::less_equal: return compare(version, wanted, false) <= 0;
  case Op::greater_equal: return compare(version, wanted, false) >= 0;
  case Op::fuzzy: return compare(version, wanted, true) == 0;
  case Op::greater_fuzzy: return compare(version, wanted, true) >= 0;
  case Op::less_fuzzy: return compare(version, wanted, true) <= 0;
  }
  return false;
}

} // namespace compose::repo::apk
