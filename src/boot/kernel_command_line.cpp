// Formats and checks the kernel command line. The public key goes base64-encoded as
// compose.key= so its spaces survive; compose.users= names the accounts, comma-separated.
#include "boot/kernel_command_line.hpp"

#include <algorithm>

#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::boot {

namespace {

constexpr std::size_t k_command_line_limit = 2048; // COMMAND_LINE_SIZE on x86

bool has_space(const std::string& value)
{
  return std::any_of(value.begin(), value.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '"';
  });
}

void check_word(const std::string& what, const std::string& value)
{
  if (value.empty() || has_space(value))
    throw Error(what + " " + quote(value) + " is empty or holds whitespace or quotes",
                "kernel command line", "the kernel splits its command line at spaces");
}

bool is_account_name(const std::string& name)
{
  return !name.empty() && name.front() != '-' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
         });
}

bool is_variable_name(const std::string& name)
{
  return !name.empty() && !(name.front() >= '0' && name.front() <= '9') &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_';
         });
}

// The kernel's own quoting: a word in '"' stays whole; there are no escapes.
std::string quoted_word(const std::string& word, const std::string& what)
{
  if (word.empty() || word.find_first_of("\"\n\r\t") != std::string::npos)
    throw Error(what + " " + quote(word) + " is empty or holds a '\"', tab or line break",
                "kernel command line", "the kernel quotes with '\"' and has no escapes");
  return word.find(' ') == std::string::npos ? word : "\"" + word + "\"";
}

} // namespace

std::string format_kernel_command_line(const KernelCommandLine& line)
{
  check_word("root", line.root);
  std::string text = "console=ttyS0 root=" + line.root + " rw";
  if (!line.init.empty()) {
    check_word("init", line.init);
    if (line.init.front() != '/')
      throw Error("init " + quote(line.init) + " is not an absolute path",
                  "kernel command line", "give the path inside the image, e.g. /sbin/init");
    text += " init=" + line.init;
  }
  text += " panic=-1";
  if (!line.ip.empty()) {
    check_word("ip", line.ip);
    text += " ip=" + line.ip;
  }
  if (!line.public_key.empty()) {
    std::string users;
    for (const std::string& user : line.users) {
      if (!is_account_name(user))
        throw Error("user " + quote(user) + " is not an account name", "kernel command line");
      users += (users.empty() ? "" : ",") + user;
    }
    if (users.empty())
      throw Error("a key is given but no user to add it for", "kernel command line");
    text += " compose.users=" + users + " compose.key=" + base64_encode(line.public_key);
  }
  for (const std::string& word : line.extra) {
    check_word("extra argument", word);
    text += " " + word;
  }
  for (const auto& [name, value] : line.init_environment) {
    if (!is_variable_name(name))
      throw Error("environment name " + quote(name) + " is not a shell variable name",
                  "kernel command line");
    text += " " + name + "=" + quoted_word(value, "environment value");
  }
  for (const std::string& word : line.init_arguments) {
    if (word.find_first_of(".=") != std::string::npos)
      throw Error("init argument " + quote(word) + " holds a '.' or '='", "kernel command line",
                  "the kernel would take it for a module or environment option, not pass it on");
    text += " " + quoted_word(word, "init argument");
  }
  if (text.size() >= k_command_line_limit)
    throw Error("kernel command line is " + std::to_string(text.size()) +
                    " bytes; the kernel keeps at most " +
                    std::to_string(k_command_line_limit - 1),
                "kernel command line", "shorten the extra arguments");
  return text;
}

} // namespace compose::boot
