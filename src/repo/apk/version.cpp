// Alpine version comparison with the semantics of apk-tools 2.14's version.c, checked against
// `apk version -t` / `-c` of the real apk.static 2.14.4 (tests/e2e/test_apk_oracle_versions.sh).
//
// apk reads a version as a stream of tokens, each typed by the character that starts it:
// a number, '.'-number (a leading zero marks a "fraction"), one letter after a number, '_'
// suffix (matched by prefix: alpha beta pre rc < none < cvs svn git hg p) with an optional
// number, and "-r" revision. A token may only follow a token of a lower type, with three
// exceptions (a number after a letter, a number after '.', another suffix after a suffix
// number). The grammar is looser than the format notes say: "0.99f7", "v2.4", "0..0",
// "5.3.0_" and "1.0-r" are all valid, and apk compares them all.
//
// Known difference, left on purpose: a '.' followed by something other than a digit (an empty
// number: "0..0", "0.104.o", "1.") compares in apk 2.14.4 by rules that no simple reading of its
// token stream reproduces; real indexes hold such versions only as so: provides that nothing
// constrains. Validity of those versions does agree.
#include "repo/apk/version.hpp"

#include <array>
#include <cstdint>

namespace compose::repo::apk {

namespace {

enum Type : int {
  invalid = -1,
  dot_number = 0, // after '.', where leading zeros count
  number = 1,
  letter = 2,
  suffix = 3,
  suffix_number = 4,
  revision = 5,
  end = 6,
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }

// A position in a version: what is left and the type of the token that starts there.
struct Cursor {
  std::string_view rest;
  Type type = number;
};

// Decides the type of the next token from its first character, consuming a separator.
void next_type(Cursor& cursor)
{
  const Type previous = cursor.type;
  Type next = invalid;
  std::string_view& rest = cursor.rest;
  if (rest.empty() || rest[0] == '\0') {
    next = end;
  } else if ((previous == number || previous == dot_number) && is_lower(rest[0])) {
    next = letter;
  } else if (previous == letter && is_digit(rest[0])) {
    next = number;
  } else if (previous == suffix && is_digit(rest[0])) {
    next = suffix_number;
  } else {
    if (rest[0] == '.') {
      next = dot_number;
    } else if (rest[0] == '_') {
      next = suffix;
    } else if (rest[0] == '-') {
      if (rest.size() > 1 && rest[1] == 'r') {
        next = revision;
        rest.remove_prefix(1);
      }
    }
    rest.remove_prefix(1);
  }
  const bool allowed_step_back = (next == dot_number && previous == number) ||
                                 (next == suffix && previous == suffix_number) ||
                                 (next == number && previous == letter);
  if (next < previous && !allowed_step_back)
    next = invalid;
  cursor.type = next;
}

// apk 2.14.4 refuses a run of 18 or more digits (`apk version -c` calls it invalid, and two such
// numbers compare equal); shorter runs fit in 64 bits.
constexpr std::size_t k_max_digits = 17;

std::int64_t read_number(std::string_view text, std::size_t& length)
{
  std::int64_t value = 0;
  while (length < text.size() && is_digit(text[length]) && length <= k_max_digits)
    value = value * 10 + (text[length++] - '0');
  return value;
}

// Pre-release suffixes have negative values; post-release ones count up from zero.
constexpr std::array<std::string_view, 4> pre_suffixes{"alpha", "beta", "pre", "rc"};
constexpr std::array<std::string_view, 5> post_suffixes{"cvs", "svn", "git", "hg", "p"};

// Reads the value of the token at the cursor and moves to the next one.
std::int64_t read_token(Cursor& cursor)
{
  std::string_view& rest = cursor.rest;
  if (rest.empty()) {
    cursor.type = end;
    return 0;
  }
  std::size_t length = 0;
  std::int64_t value = 0;
  Type forced_next = invalid;
  switch (cursor.type) {
  case dot_number:
    if (rest[0] == '0') {
      while (length < rest.size() && rest[length] == '0')
        ++length;
      value = -static_cast<std::int64_t>(length);
      // What follows the zeros is read as a number token of its own ("1.05" reads 1, -1, 5;
      // "1.0.1" reads 1, -1, 0, 1), except a suffix or a revision, which follow as usual
      // ("1.0_rc" < "1.0", "1.0-r3" < "1.0_git1").
      if (length < rest.size() && rest[length] != '_' && rest[length] != '-')
        forced_next = number;
      break;
    }
    [[fallthrough]];
  case number:
  case suffix_number:
  case revision:
    value = read_number(rest, length);
    if (length > k_max_digits) {
      cursor.type = invalid;
      return -1;
    }
    break;
  case letter:
    value = static_cast<unsigned char>(rest[0]);
    length = 1;
    break;
  case suffix: {
    bool found = false;
    for (std::size_t i = 0; i < pre_suffixes.size() && !found; ++i)
      if (rest.starts_with(pre_suffixes[i])) {
        value = static_cast<std::int64_t>(i) - static_cast<std::int64_t>(pre_suffixes.size());
        length = pre_suffixes[i].size();
        found = true;
      }
    for (std::size_t i = 0; i < post_suffixes.size() && !found; ++i)
      if (rest.starts_with(post_suffixes[i])) {
        value = static_cast<std::int64_t>(i);
        length = post_suffixes[i].size();
        found = true;
      }
    if (found)
      break;
    [[fallthrough]];
  }
  default:
    cursor.type = invalid;
    return -1;
  }
  rest.remove_prefix(length);
  if (rest.empty())
    cursor.type = end;
  else if (forced_next != invalid)
    cursor.type = forced_next;
  else
    next_type(cursor);
  return value;
}

int compare(std::string_view a, std::string_view b, bool fuzzy)
{
  Cursor ca{a, number};
  Cursor cb{b, number};
  std::int64_t va = 0;
  std::int64_t vb = 0;
  while (ca.type == cb.type && ca.type != end && ca.type != invalid && va == vb) {
    va = read_token(ca);
    vb = read_token(cb);
  }
  if (va != vb)
    return va < vb ? -1 : 1;
  if (ca.type == cb.type || fuzzy)
    return 0;
  // Equal so far: the longer version is greater unless it goes on with a pre-release suffix.
  if (ca.type == suffix) {
    Cursor peek = ca;
    if (read_token(peek) < 0)
      return -1;
  }
  if (cb.type == suffix) {
    Cursor peek = cb;
    if (read_token(peek) < 0)
      return 1;
  }
  if (ca.type > cb.type)
    return -1;
  if (cb.type > ca.type)
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
  Cursor cursor{version, number};
  while (cursor.type != end && cursor.type != invalid)
    read_token(cursor);
  return cursor.type == end;
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
