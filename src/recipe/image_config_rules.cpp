// The image-configuration rules; see image_config_rules.hpp.
#include "recipe/image_config_rules.hpp"

#include <algorithm>
#include <set>

namespace compose::recipe {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alphanumeric(char c)
{
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool small_number(std::string_view text, int low, int high)
{
  if (text.empty() || text.size() > 2 || !std::all_of(text.begin(), text.end(), is_digit) ||
      text.front() == '0')
    return false;
  const int value = std::stoi(std::string(text));
  return value >= low && value <= high;
}

// A name or numeric id in a user specification, as runc resolves it against /etc/passwd.
std::string account_problem(std::string_view part, const char* what)
{
  if (part.empty())
    return std::string("empty ") + what;
  if (std::all_of(part.begin(), part.end(), is_digit)) {
    // 4294967295 is (uid_t)-1, "no change" to setuid(); larger does not fit.
    if (part.size() > 10 || std::stoull(std::string(part)) > 4294967294ULL)
      return std::string(what) + " id out of range (0-4294967294)";
    return "";
  }
  if (std::any_of(part.begin(), part.end(), [](char c) { return is_control(c) || is_blank(c); }))
    return std::string(what) + " name contains whitespace or a control character";
  return "";
}

} // namespace

bool is_known_signal(std::string_view signal)
{
  static const std::set<std::string, std::less<>> names = {
      "ABRT", "ALRM", "BUS",  "CHLD",   "CLD",  "CONT", "FPE",  "HUP",  "ILL",    "INT",
      "IO",   "IOT",  "KILL", "PIPE",   "POLL", "PROF", "PWR",  "QUIT", "SEGV",   "STKFLT",
      "STOP", "SYS",  "TERM", "TRAP",   "TSTP", "TTIN", "TTOU", "URG",  "USR1",   "USR2",
      "VTALRM", "WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX"};
  if (small_number(signal, 1, 64))
    return true;
  if (!signal.starts_with("SIG"))
    return false;
  const std::string_view name = signal.substr(3);
  if (names.contains(name))
    return true;
  // SIGRTMIN+n and SIGRTMAX-n (34..64 on Linux).
  if (name.starts_with("RTMIN+"))
    return small_number(name.substr(6), 1, 15);
  if (name.starts_with("RTMAX-"))
    return small_number(name.substr(6), 1, 14);
  return false;
}

std::string env_name_problem(std::string_view name)
{
  if (name.empty())
    return "the name is empty";
  if (name.find('=') != std::string_view::npos)
    return "the name contains '=' (the runtime splits NAME=value at the first '=')";
  if (std::any_of(name.begin(), name.end(), [](char c) { return is_control(c) || is_blank(c); }))
    return "the name contains whitespace or a control character";
  return "";
}

std::string user_problem(std::string_view user)
{
  const std::size_t colon = user.find(':');
  if (user.find(':', colon == std::string_view::npos ? user.size() : colon + 1) !=
      std::string_view::npos)
    return "more than one ':' (expected user, uid, user:group or uid:gid)";
  std::string problem = account_problem(user.substr(0, colon), "user");
  if (problem.empty() && colon != std::string_view::npos)
    problem = account_problem(user.substr(colon + 1), "group");
  return problem;
}

std::string label_key_problem(std::string_view key)
{
  if (key.empty())
    return "the key is empty";
  if (std::any_of(key.begin(), key.end(), [](char c) { return is_control(c) || is_blank(c); }))
    return "the key contains whitespace or a control character";
  if (key.find('=') != std::string_view::npos)
    return "the key contains '=' (`docker build --label` and `podman --label` split there)";
  return "";
}

// OCI image-layout's grammar for org.opencontainers.image.ref.name:
//   ref ::= component ("/" component)*;  component ::= alphanum (separator alphanum)*
//   alphanum ::= [A-Za-z0-9]+;            separator ::= [-._:@+] | "--"
std::string reference_problem(std::string_view tag)
{
  if (tag.empty())
    return "the tag is empty";
  std::size_t start = 0;
  while (start <= tag.size()) {
    const std::size_t end = std::min(tag.find('/', start), tag.size());
    const std::string_view component = tag.substr(start, end - start);
    if (component.empty() || !is_alphanumeric(component.front()) ||
        !is_alphanumeric(component.back()))
      return "each '/'-separated part must start and end with a letter or digit";
    for (std::size_t i = 0; i < component.size(); ++i) {
      const char c = component[i];
      if (is_alphanumeric(c))
        continue;
      if (std::string_view("-._:@+").find(c) == std::string_view::npos)
        return "the character " + std::string(is_control(c) ? "(control)" : std::string(1, c)) +
               " is not allowed (letters, digits and - . _ : @ + only)";
      const char next = component[i + 1]; // in range: the component ends alphanumeric
      if (!is_alphanumeric(next) && !(c == '-' && next == '-' && i + 2 < component.size() &&
                                      is_alphanumeric(component[i + 2])))
        return "two separators in a row (only \"--\" may be doubled)";
      if (c == '-' && next == '-')
        ++i;
    }
    start = end + 1;
  }
  return "";
}

std::string argument_problem(std::string_view argument)
{
  if (argument.find('\0') != std::string_view::npos)
    return "it contains a NUL byte, which no program can receive";
  return "";
}

} // namespace compose::recipe
