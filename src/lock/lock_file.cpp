// Lock files as JSON; see lock_file.hpp.
#include "lock/lock_file.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "util/error.hpp"
#include "util/json_nesting.hpp"
#include "util/files.hpp"
#include "util/json_output.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace compose::lock {

namespace {

// ---- writing ----------------------------------------------------------------------------

json index_file_json(const IndexFile& file)
{
  json entry = {{"url", file.url}, {"sha256", file.sha256}};
  if (file.size != 0)
    entry["size"] = file.size;
  return entry;
}

json repository_json(const LockedRepository& repository)
{
  json entry = {{"url", repository.url},
                {"index", index_file_json(repository.index)},
                {"signed_by", repository.signed_by},
                {"description", repository.description}};
  if (!repository.branch.empty()) {
    entry["branch"] = repository.branch;
    entry["repo"] = repository.repo;
    entry["tag"] = repository.tag;
  }
  if (!repository.suite.empty()) {
    entry["suite"] = repository.suite;
    entry["component"] = repository.component;
    entry["priority"] = repository.priority;
    entry["packages"] = index_file_json(repository.packages);
    entry["packages"]["path"] = repository.packages_path;
  }
  if (!repository.signature.url.empty())
    entry["signature"] = index_file_json(repository.signature);
  if (!repository.overrides.empty())
    entry["verification_overrides"] = repository.overrides;
  return entry;
}

// ---- reading ----------------------------------------------------------------------------

// A JSON value and its path in the document, so that every complaint names the field.
class Field {
public:
  Field(const json& value, std::string path, const std::string& where)
      : m_value(value), m_path(std::move(path)), m_where(where)
  {
  }

  Field at(const std::string& key) const
  {
    expect_object();
    const auto found = m_value.find(key);
    if (found == m_value.end())
      fail("has no " + quote(key));
    return Field(*found, child(key), m_where);
  }
  bool has(const std::string& key) const { return m_value.is_object() && m_value.contains(key); }

  std::string string() const
  {
    if (!m_value.is_string())
      fail("is not a string");
    return m_value.get<std::string>();
  }
  std::string string_or(const std::string& key, const std::string& fallback) const
  {
    return has(key) ? at(key).string() : fallback;
  }
  std::string sha256() const
  {
    std::string text = string();
    if (text.starts_with("sha256:"))
      text.erase(0, 7);
    if (text.size() != 64 || text.find_first_not_of("0123456789abcdef") != std::string::npos)
      fail("is not a SHA-256 in lower-case hex: " + quote(text));
    return text;
  }
  std::int64_t integer() const
  {
    if (!m_value.is_number_integer())
      fail("is not an integer");
    return m_value.get<std::int64_t>();
  }
  std::uint64_t count() const
  {
    if (!m_value.is_number_unsigned() && !(m_value.is_number_integer() && integer() >= 0))
      fail("is not a non-negative integer");
    return m_value.get<std::uint64_t>();
  }
  std::vector<Field> items() const
  {
    if (!m_value.is_array())
      fail("is not a list");
    std::vector<Field> result;
    for (std::size_t i = 0; i < m_value.size(); ++i)
      result.emplace_back(m_value[i], m_path + "[" + std::to_string(i) + "]", m_where);
    return result;
  }
  std::vector<std::string> strings() const
  {
    std::vector<std::string> result;
    for (const Field& item : items())
      result.push_back(item.string());
    return result;
  }
  std::map<std::string, std::string> string_map() const
  {
    expect_object();
    std::map<std::string, std::string> result;
    for (const auto& [key, value] : m_value.items())
      result[key] = Field(value, child(key), m_where).string();
    return result;
  }
  [[noreturn]] void fail(const std::string& problem) const
  {
    throw Error("lock file: " + (m_path.empty() ? std::string("the document") : m_path) + " " +
                    problem,
                m_where, "write it again with `compose lock RECIPE`");
  }

private:
  void expect_object() const
  {
    if (!m_value.is_object())
      fail("is not an object");
  }
  std::string child(const std::string& key) const
  {
    return m_path.empty() ? key : m_path + "." + key;
  }

  const json& m_value;
  std::string m_path;
  const std::string& m_where;
};

IndexFile read_index_file(const Field& field)
{
  IndexFile file;
  file.url = field.at("url").string();
  file.sha256 = field.at("sha256").sha256();
  if (field.has("size"))
    file.size = field.at("size").count();
  return file;
}

LockedRepository read_repository(const Field& field)
{
  LockedRepository repository;
  repository.url = field.at("url").string();
  repository.index = read_index_file(field.at("index"));
  repository.signed_by = field.at("signed_by").string();
  repository.description = field.string_or("description", "");
  if (field.has("branch")) {
    repository.branch = field.at("branch").string();
    repository.repo = field.at("repo").string();
    repository.tag = field.string_or("tag", "");
  } else if (field.has("suite")) {
    repository.suite = field.at("suite").string();
    repository.component = field.at("component").string();
    repository.priority = static_cast<int>(field.at("priority").integer());
    repository.packages = read_index_file(field.at("packages"));
    repository.packages_path = field.at("packages").at("path").string();
  } else {
    field.fail("has neither 'branch' (Alpine) nor 'suite' (Debian, Ubuntu)");
  }
  if (field.has("signature"))
    repository.signature = read_index_file(field.at("signature"));
  if (field.has("verification_overrides"))
    repository.overrides = field.at("verification_overrides").strings();
  return repository;
}

LockedPackage read_package(const Field& field, std::size_t repositories)
{
  LockedPackage package;
  package.name = field.at("name").string();
  package.version = field.at("version").string();
  package.architecture = field.at("architecture").string();
  package.repository = field.at("repository").count();
  if (package.repository >= repositories)
    field.at("repository").fail("names repository " + std::to_string(package.repository) +
                                ", but the lock lists " + std::to_string(repositories));
  package.url = field.at("url").string();
  package.path = field.at("path").string();
  package.size = field.at("size").count();
  package.digests = field.at("digests").string_map();
  if (package.digests.empty())
    field.at("digests").fail("is empty");
  if (package.digests.contains("sha256"))
    package.digests["sha256"] = field.at("digests").at("sha256").sha256();
  package.record = field.at("record").string();
  package.reason = field.string_or("reason", "");
  return package;
}

} // namespace

std::string lock_json(const LockFile& lock)
{
  json document;
  document["format"] = lock.format;
  document["recipe"] = {{"name", lock.recipe.name},
                        {"file", lock.recipe.file},
                        {"digest", "sha256:" + lock.recipe.digest},
                        {"distribution", lock.recipe.distribution},
                        {"release", lock.recipe.release},
                        {"architecture", lock.recipe.architecture}};
  json files = json::array();
  for (const RecipeFile& file : lock.recipe.files)
    files.push_back({{"path", file.path}, {"sha256", file.sha256}});
  document["recipe"]["files"] = files;
  document["release"] = {{"version", lock.version}, {"point_release", lock.point_release}};
  document["epoch"] = lock.epoch;
  document["world"] = lock.world;

  json keys = json::array();
  for (const LockedKey& key : lock.keys)
    keys.push_back({{"name", key.name},
                    {"kind", key.kind},
                    {"sha256", key.sha256},
                    {"fingerprints", key.fingerprints}});
  document["keys"] = keys;

  json repositories = json::array();
  for (const LockedRepository& repository : lock.repositories)
    repositories.push_back(repository_json(repository));
  document["repositories"] = repositories;

  json packages = json::array();
  for (const LockedPackage& package : lock.packages)
    packages.push_back({{"name", package.name},
                        {"version", package.version},
                        {"architecture", package.architecture},
                        {"repository", package.repository},
                        {"url", package.url},
                        {"path", package.path},
                        {"size", package.size},
                        {"digests", package.digests},
                        {"record", package.record},
                        {"reason", package.reason}});
  document["packages"] = packages;

  json pinned = json::array();
  for (const LockedFile& file : lock.files)
    pinned.push_back({{"path", file.path}, {"url", file.url}, {"sha256", file.sha256}});
  document["files"] = pinned;
  return exact_json_text(document, 2, "the lock file") + "\n";
}

LockFile parse_lock(const std::string& text, const std::string& where)
{
  check_json_nesting(text, where);
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& e) { // parse_error, and out_of_range for numbers like 8e5389
    throw Error(std::string("lock file is not valid JSON: ") + e.what(), where);
  }
  const Field root(document, "", where);
  LockFile lock;
  lock.format = static_cast<int>(root.at("format").integer());
  if (lock.format != k_format_version)
    root.at("format").fail("is " + std::to_string(lock.format) + "; this compose reads " +
                           std::to_string(k_format_version));

  const Field recipe = root.at("recipe");
  lock.recipe.name = recipe.at("name").string();
  lock.recipe.file = recipe.at("file").string();
  lock.recipe.digest = recipe.at("digest").sha256();
  lock.recipe.distribution = recipe.at("distribution").string();
  lock.recipe.release = recipe.at("release").string();
  lock.recipe.architecture = recipe.at("architecture").string();
  for (const Field& file : recipe.at("files").items())
    lock.recipe.files.push_back({file.at("path").string(), file.at("sha256").sha256()});

  const Field release = root.at("release");
  lock.version = release.at("version").string();
  lock.point_release = release.at("point_release").string();
  lock.epoch = root.at("epoch").integer();
  if (lock.epoch < 0)
    root.at("epoch").fail("is negative");
  lock.world = root.at("world").strings();

  for (const Field& key : root.at("keys").items())
    lock.keys.push_back({key.at("name").string(), key.at("kind").string(),
                         key.at("sha256").sha256(), key.at("fingerprints").strings()});
  for (const Field& repository : root.at("repositories").items())
    lock.repositories.push_back(read_repository(repository));
  for (const Field& package : root.at("packages").items())
    lock.packages.push_back(read_package(package, lock.repositories.size()));
  for (const Field& file : root.at("files").items())
    lock.files.push_back(
        {file.at("path").string(), file.at("url").string(), file.at("sha256").sha256()});
  return lock;
}

LockFile read_lock(const fs::path& file)
{
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    throw Error("no lock file " + quote(file.string()), "",
                "write it with `compose lock RECIPE`, or name another with --lock FILE");
  return parse_lock(read_file(file), file.string());
}

void write_lock(const fs::path& file, const LockFile& lock)
{
  write_file_atomic(file, lock_json(lock));
}

fs::path lock_path_for(const fs::path& recipe_file)
{
  fs::path path = recipe_file;
  if (path.extension() == ".toml")
    path.replace_extension();
  path += ".lock.json";
  return path;
}

} // namespace compose::lock
