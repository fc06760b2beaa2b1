// The bundle manifest as JSON, member paths and the URL -> member path mapping; see
// manifest.hpp.
#include "bundle/manifest.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "util/error.hpp"
#include "util/json_nesting.hpp"
#include "util/json_output.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace compose::bundle {

namespace {

const std::set<std::string> k_kinds = {"index", "index-signature", "packages-index", "package",
                                       "file",  "recipe",          "recipe-file",    "lock",
                                       "trust", "key"};

bool is_sha256(const std::string& text)
{
  return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// Splits on '/', dropping empty parts; throws for "." and "..".
std::vector<std::string> path_parts(const std::string& path, const std::string& what)
{
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos)
      end = path.size();
    const std::string part = path.substr(start, end - start);
    if (part == "." || part == "..")
      throw Error(what + " " + quote(path) + " has a " + quote(part) + " part");
    if (!part.empty())
      parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

std::string joined(const std::string& head, const std::vector<std::string>& parts)
{
  std::string result = head;
  for (const std::string& part : parts)
    result += "/" + part;
  return result;
}

// A manifest field problem, naming the JSON path.
[[noreturn]] void bad_field(const std::string& field, const std::string& problem,
                            const std::string& where)
{
  throw Error("bundle manifest: " + field + " " + problem, where,
              "the bundle is damaged or was edited; write it again with `compose bundle`");
}

const json& field(const json& object, const std::string& key, const std::string& path,
                  const std::string& where)
{
  if (!object.is_object())
    bad_field(path, "is not an object", where);
  const auto found = object.find(key);
  if (found == object.end())
    bad_field(path, "has no " + quote(key), where);
  return *found;
}

std::string text_field(const json& object, const std::string& key, const std::string& path,
                       const std::string& where)
{
  const json& value = field(object, key, path, where);
  if (!value.is_string())
    bad_field(path + "." + key, "is not a string", where);
  return value.get<std::string>();
}

} // namespace

bool known_kind(const std::string& kind)
{
  return k_kinds.contains(kind);
}

const Member* Manifest::find(const std::string& path) const
{
  const auto found = std::lower_bound(members.begin(), members.end(), path,
                                      [](const Member& m, const std::string& p) { return m.path < p; });
  return found != members.end() && found->path == path ? &*found : nullptr;
}

const Member* Manifest::find_url(const std::string& url) const
{
  for (const Member& member : members)
    if (!member.url.empty() && member.url == url)
      return &member;
  return nullptr;
}

void check_member_path(const std::string& path)
{
  if (path.empty())
    throw Error("bundle member path is empty");
  if (path.front() == '/')
    throw Error("bundle member path " + quote(path) + " is absolute");
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos)
    throw Error("bundle member path " + quote(path) + " holds a NUL or a backslash");
  if (path.find("//") != std::string::npos || path.back() == '/')
    throw Error("bundle member path " + quote(path) + " has an empty part");
  path_parts(path, "bundle member path");
}

std::string mirror_path_for_url(const std::string& url)
{
  std::string scheme, rest;
  for (const char* known : {"http://", "https://"}) {
    if (url.starts_with(known)) {
      scheme = std::string(known).substr(0, std::string(known).find(':'));
      rest = url.substr(std::string(known).size());
    }
  }
  if (scheme.empty() && url.starts_with("file://")) {
    scheme = "file";
    rest = url.substr(7);
    if (!rest.starts_with("/"))
      throw Error("file URL " + quote(url) + " names no absolute path");
  } else if (scheme.empty() && url.starts_with("/")) {
    scheme = "file"; // a plain path is read like a file:// URL
    rest = url;
  }
  if (scheme.empty())
    throw Error("cannot keep " + quote(url) + " in a bundle: only http, https and file URLs "
                "and absolute paths can be bundled");
  const std::vector<std::string> parts = path_parts(rest, "URL");
  if (parts.empty() || (scheme != "file" && parts.size() < 2))
    throw Error("URL " + quote(url) + " names no file");
  return joined("mirror/" + scheme, parts);
}

std::vector<std::pair<std::string, std::string>> bundle_mirrors(const fs::path& directory)
{
  const std::string root = (directory / "mirror").lexically_normal().string();
  return {{"http://", "file://" + root + "/http/"},
          {"https://", "file://" + root + "/https/"},
          {"file://", "file://" + root + "/file"},
          {"/", root + "/file/"}};
}

std::string manifest_json(const Manifest& manifest)
{
  json document;
  document["format"] = manifest.format;
  json recipes = json::array();
  for (const BundledRecipe& recipe : manifest.recipes)
    recipes.push_back({{"name", recipe.name}, {"recipe", recipe.recipe}, {"lock", recipe.lock}});
  document["recipes"] = recipes;
  json members = json::array();
  for (const Member& member : manifest.members) {
    json entry = {{"path", member.path},
                  {"kind", member.kind},
                  {"size", member.size},
                  {"sha256", member.sha256}};
    if (!member.url.empty())
      entry["url"] = member.url;
    members.push_back(entry);
  }
  document["members"] = members;
  return exact_json_text(document, 2, "the bundle manifest") + "\n";
}

Manifest parse_manifest(const std::string& text, const std::string& where)
{
  json document;
  try {
    check_json_nesting(text, where);
    document = json::parse(text);
  } catch (const json::exception& e) { // parse_error, and out_of_range for numbers like 8e5389
    throw Error(std::string("bundle manifest is not valid JSON: ") + e.what(), where,
                "the bundle is damaged or was edited; write it again with `compose bundle`");
  }
  Manifest manifest;
  const json& format = field(document, "format", "the manifest", where);
  if (!format.is_number_integer() || format.get<std::int64_t>() != k_format_version)
    bad_field("format", "is " + format.dump() + "; this compose reads " +
                            std::to_string(k_format_version),
              where);

  const json& members = field(document, "members", "the manifest", where);
  if (!members.is_array())
    bad_field("members", "is not a list", where);
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::string path = "members[" + std::to_string(i) + "]";
    const json& entry = members[i];
    Member member;
    member.path = text_field(entry, "path", path, where);
    try {
      check_member_path(member.path);
    } catch (const Error& e) {
      bad_field(path + ".path", e.message(), where);
    }
    if (member.path == k_manifest_path || member.path == k_signature_path)
      bad_field(path + ".path", "lists the manifest or its signature", where);
    member.kind = text_field(entry, "kind", path, where);
    if (!known_kind(member.kind))
      bad_field(path + ".kind", "is " + quote(member.kind) + ", not a known kind", where);
    const json& size = field(entry, "size", path, where);
    if (!size.is_number_unsigned())
      bad_field(path + ".size", "is not a non-negative integer", where);
    member.size = size.get<std::uint64_t>();
    member.sha256 = text_field(entry, "sha256", path, where);
    if (!is_sha256(member.sha256))
      bad_field(path + ".sha256", "is not a SHA-256 in lower-case hex: " + quote(member.sha256),
                where);
    if (entry.contains("url")) {
      member.url = text_field(entry, "url", path, where);
      std::string expected;
      try {
        expected = mirror_path_for_url(member.url);
      } catch (const Error& e) {
        bad_field(path + ".url", e.message(), where);
      }
      if (expected != member.path)
        bad_field(path + ".url", quote(member.url) + " belongs at " + quote(expected) +
                                     ", not at " + quote(member.path),
                  where);
    }
    if (!manifest.members.empty() && !(manifest.members.back().path < member.path))
      bad_field(path + ".path", quote(member.path) + " is out of order or listed twice", where);
    manifest.members.push_back(std::move(member));
  }

  const json& recipes = field(document, "recipes", "the manifest", where);
  if (!recipes.is_array() || recipes.empty())
    bad_field("recipes", "is not a list of at least one recipe", where);
  for (std::size_t i = 0; i < recipes.size(); ++i) {
    const std::string path = "recipes[" + std::to_string(i) + "]";
    BundledRecipe recipe{text_field(recipes[i], "name", path, where),
                         text_field(recipes[i], "recipe", path, where),
                         text_field(recipes[i], "lock", path, where)};
    const Member* file = manifest.find(recipe.recipe);
    if (!file || file->kind != "recipe")
      bad_field(path + ".recipe", quote(recipe.recipe) + " is not a listed recipe member", where);
    const Member* lock = manifest.find(recipe.lock);
    if (!lock || lock->kind != "lock")
      bad_field(path + ".lock", quote(recipe.lock) + " is not a listed lock member", where);
    if (!manifest.recipes.empty() && !(manifest.recipes.back().name < recipe.name))
      bad_field(path + ".name", quote(recipe.name) + " is out of order or listed twice", where);
    manifest.recipes.push_back(std::move(recipe));
  }

  // One spelling only: a manifest that parses but differs from what compose writes was edited.
  if (manifest_json(manifest) != text)
    throw Error("bundle manifest is not in the form compose writes (edited or damaged)", where,
                "write the bundle again with `compose bundle`");
  return manifest;
}

} // namespace compose::bundle
