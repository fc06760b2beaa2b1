// The recipe schema, top level: name, distribution, release, architecture, packages and
// repositories, validated from the merged document into a Recipe. [image] and [outputs]
// are read in schema_image_outputs.cpp.
#include <algorithm>
#include <array>

#include "recipe/schema_parts.hpp"
#include "recipe/table_reader.hpp"
#include "util/error.hpp"

namespace compose::recipe::detail {

namespace {

const std::vector<std::string> k_top_keys{"include",      "name",         "distribution",
                                          "release",      "architecture", "packages",
                                          "repositories", "image",        "outputs",
                                          "base",         "recommends",   "merged_usr",
                                          "groups",       "users",        "ssh",
                                          "supervisor",   "init",         "files",
                                          "cleanup",      "version",      "point_release"};
const std::vector<std::string> k_base_sets{"none", "essential", "required", "important",
                                           "standard"};
const std::vector<std::string> k_repository_keys{
    "url",  "urls", "branch", "repos",    "suites",        "components",
    "keys", "tag",  "priority", "max_index_size"};
const std::vector<std::string> k_distributions{"alpine", "debian", "ubuntu"};

// Architecture names as each distribution spells them (apk --print-arch, dpkg
// --print-architecture).
const std::vector<std::string> k_alpine_architectures{
    "x86_64", "x86", "aarch64", "armhf", "armv7", "ppc64le", "s390x", "riscv64", "loongarch64"};
const std::vector<std::string> k_debian_architectures{
    "amd64", "arm64", "armel", "armhf", "i386", "mips64el", "ppc64el", "riscv64", "s390x"};
const std::vector<std::string> k_ubuntu_architectures{"amd64",   "arm64",   "armhf", "i386",
                                                      "ppc64el", "riscv64", "s390x"};

// The same machine under the other family's name, for a hint when a recipe mixes them up.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> k_architecture_aliases{{
    {"x86_64", "amd64"},
    {"aarch64", "arm64"},
    {"x86", "i386"},
    {"ppc64le", "ppc64el"},
    {"armv7", "armhf"},
}};

bool is_lower_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}
bool is_space_or_control(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
         static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

// "3.22": digits, one dot, digits.
bool is_version_pair(std::string_view text)
{
  const std::size_t dot = text.find('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < text.size() &&
         std::all_of(text.begin(), text.begin() + static_cast<long>(dot), is_digit) &&
         std::all_of(text.begin() + static_cast<long>(dot) + 1, text.end(), is_digit);
}

Distribution distribution_from(const std::string& text)
{
  if (text == "debian")
    return Distribution::debian;
  if (text == "ubuntu")
    return Distribution::ubuntu;
  return Distribution::alpine;
}

const std::vector<std::string>& architectures_of(Distribution distribution)
{
  switch (distribution) {
  case Distribution::debian:
    return k_debian_architectures;
  case Distribution::ubuntu:
    return k_ubuntu_architectures;
  case Distribution::alpine:
    break;
  }
  return k_alpine_architectures;
}

std::string read_name(const TableReader& top)
{
  const std::string name =
      top.required_string("name", "add name = \"my-image\"; it names the output files");
  const bool valid =
      is_lower_alnum(name.front()) && std::all_of(name.begin(), name.end(), [](char c) {
        return is_lower_alnum(c) || c == '.' || c == '_' || c == '-';
      });
  if (!valid || name.size() > 128)
    top.fail(*top.table().find("name"), "bad recipe name " + quote(name),
             "the name names output files: lower-case letters, digits, '.', '_' and '-', "
             "starting with a letter or digit, at most 128 characters");
  return name;
}

void check_release(const TableReader& top, Distribution distribution, const std::string& release)
{
  const Node& where = *top.table().find("release");
  if (distribution == Distribution::alpine) {
    // Alpine branches are "v3.22" or "edge"; the release is the part after the v.
    const bool numeric = is_version_pair(release);
    if (!numeric && release != "edge")
      top.fail(where, "bad Alpine release " + quote(release),
               "expected a branch version such as \"3.22\", or \"edge\"");
    return;
  }
  // Debian and Ubuntu releases are suite code names ("bookworm", "jammy") or versions.
  const bool valid = is_lower_alnum(release.front()) &&
                     std::all_of(release.begin(), release.end(),
                                 [](char c) { return is_lower_alnum(c) || c == '.' || c == '-'; });
  if (!valid)
    top.fail(where,
             "bad " + std::string(distribution_name(distribution)) + " release " + quote(release),
             "expected a code name such as \"bookworm\" or \"jammy\"");
}

std::string read_architecture(const TableReader& top, Distribution distribution)
{
  const Node* value = top.get("architecture", NodeKind::string);
  if (!value)
    return distribution == Distribution::alpine ? "x86_64" : "amd64";
  const std::vector<std::string>& allowed = architectures_of(distribution);
  if (std::find(allowed.begin(), allowed.end(), value->text) != allowed.end())
    return value->text;
  for (const auto& [apk_name, deb_name] : k_architecture_aliases) {
    const bool alpine = distribution == Distribution::alpine;
    if (value->text == (alpine ? deb_name : apk_name)) {
      const std::string_view native = alpine ? apk_name : deb_name;
      top.fail(*value,
               "architecture " + quote(value->text) + " is not " + distribution_name(distribution) +
                   "'s name for it",
               std::string(distribution_name(distribution)) + " calls it " +
                   quote(std::string(native)) + "; expected one of: " + join(allowed));
    }
  }
  check_choice(*value, std::string(distribution_name(distribution)) + " architecture", allowed);
  return value->text;
}

// "docker>=25.0" -> {"docker", ">=25.0"}: the name ends at the first of < > = ~.
PackageSpec read_package(const Node& item)
{
  const std::string& text = item.text;
  if (std::any_of(text.begin(), text.end(), is_space_or_control))
    throw Error("package " + quote(text) + " contains whitespace", item.where.str(),
                "write one package per string, e.g. \"docker>=25.0\"");
  const std::size_t split = text.find_first_of("<>=~");
  PackageSpec package{text.substr(0, split), split == std::string::npos ? "" : text.substr(split),
                      item.where};
  if (package.name.empty())
    throw Error("package " + quote(text) + " has no name", item.where.str(),
                "write the name first, then the constraint: \"docker>=25.0\"");
  if (package.name.find_first_of("\"'\\,;!") != std::string::npos)
    throw Error("bad character in package name " + quote(package.name), item.where.str());
  if (!package.constraint.empty()) {
    const std::size_t version = package.constraint.find_first_not_of("<>=~");
    const std::string relation = package.constraint.substr(0, version);
    static const std::vector<std::string> relations{
        "=", "<", ">", "<=", ">=", "~", "~=", "><", "<<", ">>"};
    if (std::find(relations.begin(), relations.end(), relation) == relations.end())
      throw Error("bad version relation " + quote(relation) + " in package " + quote(text),
                  item.where.str(), "expected one of: " + join(relations, " "));
    if (version == std::string::npos)
      throw Error("package " + quote(text) + " has no version after " + quote(relation),
                  item.where.str());
  }
  return package;
}

bool is_url(const std::string& url)
{
  if (url == "host-apt") // this machine's apt mirror, resolved at build time
    return true;
  for (std::string_view scheme : {"http://", "https://", "file://"})
    if (url.size() > scheme.size() && url.compare(0, scheme.size(), scheme) == 0)
      return true;
  return url.size() > 1 && url.front() == '/';
}

// Repository fields that belong to the other family are refused rather than ignored.
void refuse_keys(const TableReader& entry, const std::vector<std::string>& keys,
                 Distribution distribution)
{
  for (const std::string& key : keys)
    if (const Member* member = entry.table().find_member(key))
      throw Error(quote(key) + " does not apply to " + distribution_name(distribution) +
                      " repositories",
                  member->key_where.str(),
                  distribution == Distribution::alpine
                      ? "Alpine repositories use url, branch, repos, keys and tag"
                      : "Debian and Ubuntu repositories use url, suites, components, keys and "
                        "priority");
}

enum class Slashes { refused, allowed };

// Repository parts become parts of URLs and key names become file names under keys/, so
// they are single words that cannot climb out of their directory.
std::vector<std::string> required_words(const TableReader& entry, std::string_view key,
                                        Slashes slashes)
{
  const Node& array = entry.need(key, NodeKind::array);
  std::vector<std::string> values;
  for (const Node* item : entry.string_items(key)) {
    const std::string& text = item->text;
    const std::string what = "entry " + quote(text) + " of " + quote(entry.key_name(key));
    if (std::any_of(text.begin(), text.end(), is_space_or_control))
      entry.fail(*item, what + " contains whitespace");
    const bool has_slash = text.find('/') != std::string::npos;
    if (has_slash && (slashes == Slashes::refused || text.front() == '/'))
      entry.fail(*item, what + " contains '/'", "write a single name, e.g. \"main\"");
    if (text == "." || text == ".." || text.starts_with("../") || text.ends_with("/..") ||
        text.find("/../") != std::string::npos)
      entry.fail(*item, what + " is or contains '..'");
    values.push_back(text);
  }
  if (values.empty())
    entry.fail(array, quote(entry.key_name(key)) + " is empty");
  return values;
}

void check_alpine_branch(const TableReader& entry, const std::string& branch)
{
  // The directories of an Alpine mirror: v3.22, edge and the latest-stable link.
  const bool versioned = branch.size() > 1 && branch.front() == 'v' &&
                         is_version_pair(std::string_view(branch).substr(1));
  if (!versioned && branch != "edge" && branch != "latest-stable")
    entry.fail(*entry.table().find("branch"), "bad Alpine branch " + quote(branch),
               branch == "vedge" ? "the edge branch is \"edge\"; write branch = \"edge\""
                                 : "expected \"v3.22\" (\"v${release}\"), \"edge\" or "
                                   "\"latest-stable\"");
}

// url = "…", or urls = ["…", "…"]: the mirrors in order, the first canonical.
void read_repository_urls(const TableReader& entry, RepositorySpec& repository)
{
  const Node* single = entry.table().find("url");
  const Node* list = entry.get("urls", NodeKind::array);
  if (single && list)
    entry.fail(*list, "a repository has url or urls, not both",
               "urls = [\"first\", \"second\"] lists every mirror, the canonical one first");
  std::vector<const Node*> values;
  if (list) {
    values = entry.string_items("urls");
    if (values.empty())
      entry.fail(*list, "'urls' is empty");
  } else {
    entry.required_string("url", "url = \"<mirror>\", or urls = [...] for several mirrors");
    values.push_back(single);
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string& text = values[i]->text;
    // "host-apt" is resolved for the canonical URL only.
    if (!is_url(text) || (i > 0 && text == "host-apt"))
      entry.fail(*values[i], "bad repository url " + quote(text),
                 "expected http://, https://, file:// or an absolute path");
    for (std::size_t j = 0; j < i; ++j)
      if (values[j]->text == text)
        entry.fail(*values[i], "mirror " + quote(text) + " is listed twice");
    if (i == 0)
      repository.url = text;
    else
      repository.mirrors.push_back(text);
  }
}

RepositorySpec read_repository(const Node& node, Distribution distribution)
{
  if (node.kind != NodeKind::table)
    wrong_type(node, "a 'repositories' entry", NodeKind::table);
  const TableReader entry(node, "repositories", k_repository_keys, true);
  RepositorySpec repository;
  repository.where = node.where;
  read_repository_urls(entry, repository);
  if (const Node* limit = node.find("max_index_size")) {
    repository.max_index_size = read_size(*limit, entry.key_name("max_index_size"));
    if (*repository.max_index_size == 0)
      entry.fail(*limit, "'max_index_size' is zero", "omit it for the default (32M)");
  }
  if (distribution == Distribution::alpine) {
    refuse_keys(entry, {"suites", "components", "priority"}, distribution);
    repository.branch = entry.required_string("branch");
    check_alpine_branch(entry, repository.branch);
    repository.repos = required_words(entry, "repos", Slashes::refused);
    if (const auto tag = entry.string("tag")) {
      const bool valid = !tag->empty() && std::all_of(tag->begin(), tag->end(), [](char c) {
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
      });
      if (!valid)
        entry.fail(*node.find("tag"), "bad repository tag " + quote(*tag),
                   "letters, digits, '-' and '_'; packages ask for it as name@tag");
      repository.tag = *tag;
    }
  } else {
    refuse_keys(entry, {"branch", "repos", "tag"}, distribution);
    // Old Debian security suites were spelt "buster/updates".
    repository.suites = required_words(entry, "suites", Slashes::allowed);
    repository.components = required_words(entry, "components", Slashes::refused);
    if (const auto priority = entry.integer("priority", -32768, 32767))
      repository.priority = static_cast<int>(*priority);
  }
  repository.keys = required_words(entry, "keys", Slashes::refused);
  return repository;
}

// The values ${…} expands to must not contain ${…} themselves.
std::string read_plain(const TableReader& top, std::string_view key, std::string value)
{
  if (value.find("${") != std::string::npos)
    top.fail(*top.table().find(key), "variables are not expanded in " + quote(std::string(key)),
             "${name}, ${release}, ${architecture} and ${distribution} are defined by these "
             "top-level values; write them out");
  return value;
}

// base, recommends and merged_usr: how a Debian or Ubuntu package set is completed.
void read_package_set_options(const TableReader& top, Recipe& recipe)
{
  const bool apt_family = recipe.distribution != Distribution::alpine;
  for (const char* key : {"base", "recommends", "merged_usr"})
    if (!apt_family && top.has(key))
      top.fail(*top.table().find(key), quote(key) + " applies to Debian and Ubuntu recipes only");
  if (const Node* base = top.get("base", NodeKind::string)) {
    check_choice(*base, "base", k_base_sets);
    recipe.base = base->text;
  }
  if (const Node* recommends = top.get("recommends", NodeKind::boolean))
    recipe.recommends = recommends->boolean;
  if (const Node* merged = top.get("merged_usr", NodeKind::boolean))
    recipe.merged_usr = merged->boolean;
}

} // namespace

Recipe read_recipe(Node document, const SourceLocation& top_where, const BuildInputs& inputs)
{
  document.where = top_where;
  Recipe recipe;
  recipe.where = top_where;
  {
    const TableReader top(document, "", k_top_keys);
    recipe.name = read_plain(top, "name", read_name(top));
    const Node& distribution = top.need("distribution", NodeKind::string,
                                        "add distribution = \"alpine\", \"debian\" or \"ubuntu\"");
    read_plain(top, "distribution", distribution.text);
    check_choice(distribution, "distribution", k_distributions);
    recipe.distribution = distribution_from(distribution.text);
    recipe.release = read_plain(
        top, "release",
        top.required_string("release", "add release = \"3.22\" (Alpine) or a code name such "
                                       "as \"bookworm\" or \"jammy\""));
    check_release(top, recipe.distribution, recipe.release);
    if (top.has("architecture"))
      read_plain(top, "architecture", top.table().find("architecture")->text);
    recipe.architecture = read_architecture(top, recipe.distribution);
    recipe.version = inputs.version.value_or(
        top.has("version") ? read_plain(top, "version", top.required_string("version"))
                           : recipe.version);
    recipe.point_release = inputs.point_release.value_or(
        top.has("point_release")
            ? read_plain(top, "point_release", top.required_string("point_release"))
            : recipe.release);
    for (const std::string* value : {&recipe.version, &recipe.point_release})
      if (value->empty() || std::any_of(value->begin(), value->end(), is_space_or_control))
        throw Error("bad build input " + quote(*value), top_where.str(),
                    "versions are non-empty and without whitespace: 1.0.0, 3.22.0");
  }

  // Every other string may refer to the values just read.
  const Variables variables{recipe.name,
                            recipe.release,
                            recipe.architecture,
                            distribution_name(recipe.distribution),
                            recipe.version,
                            recipe.point_release};
  for (Member& member : document.members)
    if (member.key != "name" && member.key != "distribution" && member.key != "release" &&
        member.key != "architecture" && member.key != "version" && member.key != "point_release")
      expand_variables(member.value, variables);

  const TableReader top(document, "", k_top_keys);
  const Node& packages =
      top.need("packages", NodeKind::array, "add packages = [\"busybox\"] or similar");
  for (const Node* item : top.string_items("packages")) {
    // The merge dropped repeated strings; ${…} may have made more of them equal since.
    PackageSpec package = read_package(*item);
    const bool repeated =
        std::any_of(recipe.packages.begin(), recipe.packages.end(), [&](const PackageSpec& kept) {
          return kept.name == package.name && kept.constraint == package.constraint;
        });
    if (!repeated)
      recipe.packages.push_back(std::move(package));
  }
  if (recipe.packages.empty())
    top.fail(packages, "'packages' is empty", "name at least one package, e.g. \"busybox\"");

  const Node& repositories =
      top.need("repositories", NodeKind::array, "add a [[repositories]] table with url and keys");
  for (const Node& item : repositories.items)
    recipe.repositories.push_back(read_repository(item, recipe.distribution));
  if (recipe.repositories.empty())
    top.fail(repositories, "'repositories' is empty");

  read_package_set_options(top, recipe);
  recipe.image = read_image(top);
  recipe.outputs = read_outputs(top);
  recipe.overlays = read_overlays(top);
  return recipe;
}

} // namespace compose::recipe::detail
