// pam-auth-update's profile merge (libpam-runtime's Perl script, first run); see
// pam_auth_update.hpp.
#include "unpack/deb/pam_auth_update.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "unpack/deb/tree_writes.hpp"
#include "util/error.hpp"

namespace compose::unpack::deb {

namespace {

using Profile = std::map<std::string, std::string>;

std::string trim(const std::string& text)
{
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// parse_pam_profile: "Field: value" lines, indented continuation lines appended with
// "\n" (trimmed, empty ones dropped); "-Final" is the old name of the plain field.
Profile parse_profile(std::string_view text)
{
  Profile profile;
  std::string field;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string line(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::size_t colon = line.find(':');
    if (!line.empty() && line[0] != ' ' && line[0] != '\t' && colon != std::string::npos &&
        line.find_first_of(" \t") > colon) {
      field = line.substr(0, colon);
      if (field.ends_with("-Final"))
        field.resize(field.size() - 6);
      profile[field] = trim(line.substr(colon + 1));
      continue;
    }
    const std::string value = trim(line);
    if (!value.empty() && !field.empty())
      profile[field] = trim(profile[field] + "\n" + value);
  }
  if (!profile.contains("Session-Interactive-Only"))
    for (const char* suffix : {"-Type", "", "-Initial"})
      if (const auto found = profile.find(std::string("Session") + suffix); found != profile.end())
        profile[std::string("Session-noninteractive") + suffix] = found->second;
  return profile;
}

long priority_of(const Profile& profile)
{
  const auto found = profile.find("Priority");
  try {
    return found == profile.end() ? 0 : std::stol(found->second);
  } catch (const std::exception&) {
    return 0;
  }
}

std::vector<std::string> split_lines(const std::string& text)
{
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (end > start)
      lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// merge_one_line without local changes: "control module" with every "end" in it replaced
// by the jump count, then the options.
std::string merge_line(const std::string& line, long count)
{
  std::size_t control_end = 0;
  if (!line.empty() && line[0] == '[')
    control_end = line.find(']') + 1;
  else
    control_end = line.find_first_of(" \t");
  const std::size_t module_start = line.find_first_not_of(" \t", control_end);
  const std::size_t module_end = std::min(line.find_first_of(" \t", module_start), line.size());
  std::string head = line.substr(0, module_end);
  for (std::size_t at = head.find("end"); at != std::string::npos; at = head.find("end", at)) {
    head.replace(at, 3, std::to_string(count));
    at += 1;
  }
  std::string options;
  for (std::size_t at = module_end; at < line.size();) {
    at = line.find_first_not_of(" \t", at);
    if (at == std::string::npos)
      break;
    const std::size_t stop = std::min(line.find_first_of(" \t", at), line.size());
    options += (options.empty() ? "" : " ") + line.substr(at, stop - at);
    at = stop;
  }
  return head + " " + options + "\n";
}

struct Stack {
  std::vector<std::pair<std::string, std::string>> primary, additional; // profile, lines
};

Stack stack_for(const std::map<std::string, Profile>& profiles,
                const std::vector<std::string>& enabled, const std::string& kind)
{
  Stack stack;
  for (const std::string& name : enabled) {
    const Profile& profile = profiles.at(name);
    const auto type = profile.find(kind + "-Type");
    if (type == profile.end())
      continue;
    auto& block = type->second == "Primary" ? stack.primary : stack.additional;
    if (type->second != "Primary" && type->second != "Additional")
      continue;
    // The first module of a block may have an "-Initial" variant (no try_first_pass).
    const auto initial = profile.find(kind + "-Initial");
    const auto lines = profile.find(kind);
    const std::string text = block.empty() && initial != profile.end() && !initial->second.empty()
                                 ? initial->second
                                 : (lines == profile.end() ? "" : lines->second);
    block.emplace_back(name, text);
  }
  return stack;
}

} // namespace

std::string apply_pam_auth_update(stage::Tree& tree, std::int64_t epoch)
{
  const auto configs = tree.resolve("usr/share/pam-configs");
  if (!tree.resolve("usr/share/pam/common-auth") || !configs ||
      configs->type != stage::FileType::directory)
    return "";
  std::map<std::string, Profile> profiles;
  for (const auto& [name, child] : configs->children)
    if (child->type == stage::FileType::regular && !name.ends_with("~"))
      profiles[name] = parse_profile(child->content.read());
  // Priority first (high to low), then the name in reverse byte order, as the script sorts.
  std::vector<std::string> sorted;
  for (const auto& [name, profile] : profiles)
    sorted.push_back(name);
  std::sort(sorted.begin(), sorted.end(), [&](const std::string& a, const std::string& b) {
    const long pa = priority_of(profiles.at(a)), pb = priority_of(profiles.at(b));
    return pa != pb ? pa > pb : a > b;
  });
  std::vector<std::string> enabled;
  std::string seen;
  for (const auto& name : sorted) {
    seen += name + "\n";
    const auto value = profiles.at(name).find("Default");
    if (value != profiles.at(name).end() && value->second == "yes")
      enabled.push_back(name);
  }
  write_file(tree, "var/lib/pam/seen", seen, 0644, epoch);

  for (const std::string type : {"auth", "account", "password", "session", "session-noninteractive"}) {
    std::string kind = type;
    kind[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(kind[0])));
    const std::string prefix = type.substr(0, type.find("-noninteractive"));
    const Stack stack = stack_for(profiles, enabled, kind);
    const std::string template_path = "usr/share/pam/common-" + type;
    const auto template_file = tree.resolve(template_path);
    if (!template_file)
      throw Error("pam-auth-update template is missing", "/" + template_path);

    auto block_lines = [&](const auto& block, long count) {
      std::string out;
      for (const auto& [name, text] : block)
        for (const std::string& line : split_lines(text))
          out += prefix + "\t" + merge_line(line, count--);
      return out;
    };
    auto line_count = [](const auto& block) {
      long count = 0;
      for (const auto& entry : block)
        count += static_cast<long>(split_lines(entry.second).size());
      return count;
    };

    // create_from_template: copy the template, replacing what lies between the markers.
    std::string out;
    int state = 0;
    for (const std::string& line : [&] {
           std::vector<std::string> lines;
           const std::string text_bytes = template_file->content.read();
           std::string_view text = text_bytes;
           while (!text.empty()) {
             const std::size_t end = std::min(text.find('\n'), text.size());
             lines.emplace_back(text.substr(0, end));
             text.remove_prefix(std::min(end + 1, text.size()));
           }
           return lines;
         }()) {
      if (state == 1 || state == 3) {
        const char* marker = state == 1 ? "# here's the fallback if no module succeeds"
                                        : "# end of pam-auth-update config";
        if (line.starts_with(marker)) {
          out += line + "\n";
          ++state;
        }
        continue;
      }
      out += line + "\n";
      if (state == 0 && line.starts_with("# here are the per-package modules (the \"Primary\" block)")) {
        const long count = line_count(stack.primary);
        if (count == 0)
          out += prefix + "\t[default=1]\t\t\tpam_permit.so\n";
        out += block_lines(stack.primary, count);
        ++state;
      } else if (state == 2 &&
                 line.starts_with("# and here are more per-package modules (the \"Additional\" block)")) {
        out += block_lines(stack.additional, line_count(stack.additional) - 1);
        ++state;
      }
    }
    if (state < 4)
      throw Error("template lacks pam-auth-update's block markers", "/" + template_path);
    write_file(tree, "etc/pam.d/common-" + type, out, 0644, epoch);

    // The state pam-auth-update compares against next time.
    std::string saved;
    for (const auto& [name, text] : stack.primary)
      if (!text.empty())
        saved += "Module: " + name + "\n" + text + "\n";
    if (stack.primary.empty())
      saved += "Module: null\n[default=1]\t\t\tpam_permit.so\n";
    for (const auto& [name, text] : stack.additional)
      if (!text.empty())
        saved += "Module: " + name + "\n" + text + "\n";
    write_file(tree, "var/lib/pam/" + type, saved, 0644, epoch);
  }
  std::string summary;
  for (const auto& name : enabled)
    summary += (summary.empty() ? "" : ", ") + name;
  return "pam-auth-update: " + summary;
}

} // namespace compose::unpack::deb
