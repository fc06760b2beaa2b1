// Writing /var/lib/dpkg the way dpkg leaves it after installing and configuring packages;
// see dpkg_database.hpp and deb.md §9.3.
#include "unpack/deb/dpkg_database.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>

#include "repo/deb/relation.hpp"
#include "unpack/deb/tree_writes.hpp"
#include "util/error.hpp"
#include "util/hash.hpp"

namespace compose::unpack::deb {

namespace {

const std::string k_root = "var/lib/dpkg";

// dpkg's own field table (lib/dpkg/parse.c, fieldinfos): known fields are written in this
// order, every other field afterwards in the order the control file has them. Filename,
// Size and MD5sum belong to "available" only and never reach status from a .deb.
constexpr std::array<std::string_view, 25> k_field_order = {
    "Package",     "Essential",    "Protected",      "Status",     "Priority",
    "Section",     "Installed-Size", "Origin",       "Maintainer", "Bugs",
    "Architecture", "Multi-Arch",  "Source",         "Version",    "Config-Version",
    "Replaces",    "Provides",     "Depends",        "Pre-Depends", "Recommends",
    "Suggests",    "Breaks",       "Conflicts",      "Enhances",   "Conffiles"};
constexpr std::array<std::string_view, 3> k_late_fields = {"Description", "Triggers-Pending",
                                                           "Triggers-Awaited"};
// Fields dpkg drops or owns itself when a control file reaches status.
constexpr std::array<std::string_view, 6> k_dropped_fields = {
    "Status", "Filename", "Size", "MD5sum", "MSDOS-Filename", "Revision"};

bool same_name(std::string_view a, std::string_view b)
{
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

struct RawField {
  std::string name;
  std::string value; // first line without leading blanks, then "\n<continuation line>"…
};

bool is_blank(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

// The control text split into fields with continuation lines kept verbatim: the parsed
// Paragraph trims them and turns " ." into "", which would change Description bytes.
// Like dpkg's parser, only the end of a whole value loses its blanks: a blank at the end of
// a first or continuation line followed by more lines stays (libgdbm6's Description has one).
std::vector<RawField> raw_fields(std::string_view text)
{
  std::vector<RawField> fields;
  auto trim_last_value = [&fields] {
    if (fields.empty())
      return;
    std::string& value = fields.back().value;
    while (!value.empty() && is_blank(value.back()))
      value.pop_back();
  };
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (std::all_of(line.begin(), line.end(), is_blank)) {
      if (!fields.empty())
        break; // the control member is one paragraph; dpkg ignores anything after it
      continue;
    }
    if (line.front() == '#')
      continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (!fields.empty())
        fields.back().value += "\n" + std::string(line);
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      continue; // read_deb already rejected malformed control text
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    trim_last_value();
    fields.push_back({std::string(line.substr(0, colon)), std::string(value)});
  }
  trim_last_value();
  return fields;
}

// dpkg rewrites relationship fields from its parsed form: ", " between groups, " | "
// between alternatives, "name:arch (op version)".
std::string normalised_relations(const std::string& name, const std::string& value)
{
  using repo::deb::RelationKind;
  const RelationKind kind = same_name(name, "Provides")   ? RelationKind::provides
                            : same_name(name, "Replaces") || same_name(name, "Breaks") ||
                                      same_name(name, "Conflicts")
                                ? RelationKind::conflicts
                                : RelationKind::depends;
  std::string flat = value;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  try {
    std::string text;
    for (const auto& group : repo::deb::parse_relations(flat, kind, name)) {
      text += text.empty() ? "" : ", ";
      for (std::size_t i = 0; i < group.size(); ++i)
        text += (i ? " | " : "") + group[i].text();
    }
    return text;
  } catch (const Error&) {
    return value; // keep what the package says; dpkg would have refused it already
  }
}

bool is_relation_field(std::string_view name)
{
  for (std::string_view field : {"Replaces", "Provides", "Depends", "Pre-Depends", "Recommends",
                                 "Suggests", "Breaks", "Conflicts", "Enhances"})
    if (same_name(name, field))
      return true;
  return false;
}

std::string line_for(std::string_view name, const std::string& value)
{
  return std::string(name) + ": " + value + "\n";
}

std::string join_lines(const std::vector<std::string>& lines)
{
  std::string text;
  for (const auto& line : lines)
    text += line + "\n";
  return text;
}

std::string md5_hex(std::string_view bytes)
{
  return to_hex(digest(DigestAlgorithm::md5, bytes));
}

std::string package_key(const UnpackedPackage& package)
{
  return package.archive.control.value("Package");
}

std::string architecture_of(const UnpackedPackage& package)
{
  return package.archive.control.value("Architecture");
}

// Control members that are executable scripts; dpkg runs them, so they must stay 0755.
bool is_script(const std::string& member)
{
  for (std::string_view name : {"preinst", "postinst", "prerm", "postrm", "config"})
    if (member == name)
      return true;
  return false;
}

// "interest[-await|-noawait] name" lines of a package's ./triggers member.
struct TriggerInterest {
  std::string name;
  bool noawait = false;
};
std::vector<TriggerInterest> interests_of(const UnpackedPackage& package)
{
  std::vector<TriggerInterest> interests;
  const auto member = package.archive.control_files.find("triggers");
  if (member == package.archive.control_files.end())
    return interests;
  std::string_view text = member->second.bytes;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos)
      continue;
    line.remove_prefix(first);
    const std::size_t space = line.find_first_of(" \t");
    if (space == std::string_view::npos)
      continue;
    const std::string_view directive = line.substr(0, space);
    std::string_view name = line.substr(space);
    name.remove_prefix(name.find_first_not_of(" \t"));
    name = name.substr(0, name.find_first_of(" \t"));
    if (directive == "interest" || directive == "interest-await")
      interests.push_back({std::string(name), false});
    else if (directive == "interest-noawait")
      interests.push_back({std::string(name), true});
  }
  return interests;
}

// dpkg's str_fnv_hash (32-bit FNV-1a) reduced to the 2^17 buckets of its file hash.
std::uint32_t file_hash_bucket(const std::string& path)
{
  std::uint32_t hash = 0x811c9dc5u;
  for (const char c : path) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x01000193u;
  }
  return hash % (1u << 17);
}

} // namespace

const AlternativeChoice* Alternative::best() const
{
  const AlternativeChoice* chosen = nullptr;
  for (const auto& choice : choices)
    if (!chosen || choice.priority > chosen->priority)
      chosen = &choice;
  return chosen;
}

std::string info_name(const UnpackedPackage& package)
{
  const std::string name = package_key(package);
  return package.archive.control.value("Multi-Arch") == "same"
             ? name + ":" + architecture_of(package)
             : name;
}

std::vector<std::pair<std::string, std::string>> conffile_digests(const UnpackedPackage& package,
                                                                  const stage::Tree& tree)
{
  std::vector<std::pair<std::string, std::string>> digests;
  const auto member = package.archive.control_files.find("conffiles");
  if (member == package.archive.control_files.end())
    return digests;
  std::string_view text = member->second.bytes;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
      line.remove_suffix(1);
    if (line.empty())
      continue;
    // dpkg ≥ 1.20.6 allows flags before the path ("remove-on-upgrade /etc/x"): such a
    // conffile is not shipped, and status records it with the flag and no hash yet.
    if (line.front() != '/') {
      const std::size_t space = line.find(' ');
      const std::string path(line.substr(space == std::string_view::npos ? 0 : space + 1));
      digests.emplace_back(path, "newconffile " + std::string(line.substr(0, space)));
      continue;
    }
    const std::string path(line);
    const std::shared_ptr<stage::Inode> inode =
        tree.find(stage::Tree::normalise(path), stage::ParentSymlinks::follow);
    if (!inode || inode->type != stage::FileType::regular)
      throw Error("conffile " + quote(path) + " is not a regular file in the package",
                  package_key(package) + ": conffiles");
    digests.emplace_back(path, md5_hex(inode->content.read()));
  }
  return digests;
}

std::string status_stanza(const InstalledPackage& package)
{
  const std::vector<RawField> fields = raw_fields(package.unpacked.archive.control_text);
  std::string conffiles;
  for (const auto& [path, md5] : package.conffiles)
    conffiles += "\n " + path + " " + md5;

  auto value_of = [&](std::string_view name) -> const RawField* {
    for (const auto& field : fields)
      if (same_name(field.name, name))
        return &field;
    return nullptr;
  };
  auto write_known = [&](std::string_view name, std::string& out) {
    if (name == "Status") {
      out += "Status: install ok installed\n";
      return;
    }
    if (name == "Conffiles") {
      if (!conffiles.empty())
        out += "Conffiles:" + conffiles + "\n";
      return;
    }
    const RawField* field = value_of(name);
    if (!field || field->value.empty())
      return;
    // dpkg writes booleans only when true and Multi-Arch only when not "no".
    if ((name == "Essential" || name == "Protected") && field->value != "yes")
      return;
    if (name == "Multi-Arch" && field->value == "no")
      return;
    out += line_for(name, is_relation_field(name) ? normalised_relations(field->name, field->value)
                                                  : field->value);
  };

  std::string out;
  for (std::string_view name : k_field_order)
    write_known(name, out);
  for (std::string_view name : k_late_fields)
    write_known(name, out);
  for (const auto& field : fields) {
    auto known = [&](auto list) {
      return std::any_of(list.begin(), list.end(),
                         [&](std::string_view name) { return same_name(name, field.name); });
    };
    if (known(k_field_order) || known(k_late_fields) || known(k_dropped_fields))
      continue;
    out += line_for(field.name, field.value);
  }
  return out;
}

std::string alternative_admin_file(const Alternative& alternative)
{
  // update-alternatives saves slaves sorted by name and choices sorted by path.
  std::string out = "auto\n" + alternative.link + "\n";
  for (const auto& [name, link] : alternative.slaves)
    out += name + "\n" + link + "\n";
  out += "\n";
  std::vector<const AlternativeChoice*> choices;
  for (const auto& choice : alternative.choices)
    choices.push_back(&choice);
  std::sort(choices.begin(), choices.end(),
            [](const auto* a, const auto* b) { return a->path < b->path; });
  for (const AlternativeChoice* choice : choices) {
    out += choice->path + "\n" + std::to_string(choice->priority) + "\n";
    for (const auto& slave : alternative.slaves) {
      const auto target = choice->slaves.find(slave.first);
      out += (target == choice->slaves.end() ? std::string() : target->second) + "\n";
    }
  }
  out += "\n";
  return out;
}

void write_dpkg_database(const std::vector<InstalledPackage>& packages, const DpkgState& state,
                         const std::string& architecture, std::int64_t epoch, stage::Tree& tree)
{
  write_directory(tree, k_root, 0755, epoch);
  for (const char* directory : {"info", "updates", "triggers", "alternatives", "parts"})
    write_directory(tree, k_root + "/" + directory, 0755, epoch);

  // status: sorted by name, then architecture, one blank line after each stanza.
  std::vector<const InstalledPackage*> sorted;
  for (const auto& package : packages)
    sorted.push_back(&package);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return std::pair(package_key(a->unpacked), architecture_of(a->unpacked)) <
           std::pair(package_key(b->unpacked), architecture_of(b->unpacked));
  });
  std::string status;
  for (const InstalledPackage* package : sorted)
    status += status_stanza(*package) + "\n";
  write_file(tree, k_root + "/status", status, 0644, epoch);

  // info/: the .list file plus every control member except control itself, as dpkg's
  // unpack moves them into place.
  // A file taken over through Replaces leaves the earlier package's list, as dpkg does.
  std::map<std::string, std::set<std::string>> taken;
  for (const auto& package : packages)
    for (const auto& [earlier, paths] : package.unpacked.replaced_paths)
      taken[earlier].insert(paths.begin(), paths.end());
  for (const auto& package : packages) {
    const std::string stem = k_root + "/info/" + info_name(package.unpacked);
    std::vector<std::string> paths = package.unpacked.paths;
    if (const auto lost = taken.find(package_key(package.unpacked)); lost != taken.end())
      std::erase_if(paths, [&](const std::string& path) { return lost->second.contains(path); });
    write_file(tree, stem + ".list", join_lines(paths), 0644, epoch);
    for (const auto& [member, file] : package.unpacked.archive.control_files) {
      const std::uint32_t mode = is_script(member) ? 0755 : (file.mode & 0777);
      write_file(tree, stem + "." + member, file.bytes, mode, epoch);
    }
  }
  write_file(tree, k_root + "/info/format", "1\n", 0644, epoch);
  write_file(tree, k_root + "/arch", architecture + "\n", 0644, epoch);

  // dpkg-divert puts a new diversion at the head of its list and writes the list in order.
  std::string diversions;
  for (auto diversion = state.diversions.rbegin(); diversion != state.diversions.rend(); ++diversion)
    diversions += diversion->path + "\n" + diversion->diverted_to + "\n" + diversion->package + "\n";
  write_file(tree, k_root + "/diversions", diversions, 0644, epoch);

  // dpkg-statoverride writes its entries walking dpkg's file-name hash table: bucket
  // FNV-1a(path) mod 2^17 in ascending order, insertion order within a bucket.
  std::vector<StatOverride> ordered = state.statoverrides;
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return file_hash_bucket(a.path) < file_hash_bucket(b.path);
  });
  std::string overrides;
  for (const auto& entry : ordered) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%o", entry.mode);
    overrides += entry.owner + " " + entry.group + " " + mode + " " + entry.path + "\n";
  }
  write_file(tree, k_root + "/statoverride", overrides, 0644, epoch);

  for (const auto& [name, alternative] : state.alternatives)
    write_file(tree, k_root + "/alternatives/" + name, alternative_admin_file(alternative), 0644,
             epoch);

  // triggers/: File lists path interests in install order; one file per explicit trigger
  // names the interested packages. Nothing is pending in a configured system.
  std::string file_interests;
  std::map<std::string, std::string> named_interests;
  for (const auto& package : packages)
    for (const TriggerInterest& interest : interests_of(package.unpacked)) {
      const std::string who = info_name(package.unpacked) + (interest.noawait ? "/noawait" : "");
      if (interest.name.starts_with("/"))
        file_interests += interest.name + " " + who + "\n";
      else
        named_interests[interest.name] += who + "\n";
    }
  write_file(tree, k_root + "/triggers/File", file_interests, 0644, epoch);
  for (const auto& [name, text] : named_interests)
    write_file(tree, k_root + "/triggers/" + name, text, 0644, epoch);
  write_file(tree, k_root + "/triggers/Unincorp", "", 0644, epoch);
  write_file(tree, k_root + "/triggers/Lock", "", 0600, epoch);

  // The lock files exist in every dpkg-managed system; dpkg creates them 0640.
  write_file(tree, k_root + "/lock", "", 0640, epoch);
  write_file(tree, k_root + "/lock-frontend", "", 0640, epoch);
}

} // namespace compose::unpack::deb
