// compose-fixture apk-* verbs; see apk_probe.hpp.
#include "apk_probe.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "recipe/recipe.hpp"
#include "repo/apk/index.hpp"
#include "repo/apk/version.hpp"
#include "resolve/plan.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/hash.hpp"
#include "verify/keyring.hpp"

namespace fs = std::filesystem;

namespace compose::testing {

namespace {

// Every *.pub file of the directory, trusted as it is (the oracle trusts the same folder).
verify::Keyring keys_from(const fs::path& directory)
{
  verify::Keyring keys;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory)) {
    if (entry.path().extension() != ".pub")
      continue;
    verify::ApkKey key;
    key.name = entry.path().filename().string();
    key.pem = read_file(entry.path());
    key.sha256 = sha256_hex(key.pem);
    key.source = entry.path().string();
    key.key = verify::parse_rsa_public_key(key.pem, key.source);
    keys.add(std::move(key));
  }
  return keys;
}

// An index file's repository, named as a mirror lays it out: <base>/<repo>/<arch>/APKINDEX.tar.gz.
std::vector<repo::apk::Index> load_indexes(int argc, char** argv, const verify::Keyring& keys)
{
  std::vector<repo::apk::Index> indexes;
  for (int i = 3; i < argc; ++i) {
    const fs::path file = fs::absolute(argv[i]);
    repo::apk::Repository repository;
    repository.arch = file.parent_path().filename().string();
    repository.name = file.parent_path().parent_path().filename().string();
    repository.base_url = "file://" + file.parent_path().parent_path().string();
    repo::apk::Index index = repo::apk::load_index(read_file(file), repository, keys, file.string());
    for (repo::apk::Package& package : index.packages)
      package.repository = indexes.size();
    for (const std::string& problem : index.problems)
      std::cerr << file.string() << ": " << problem << "\n";
    indexes.push_back(std::move(index));
  }
  return indexes;
}

int guarded(const auto& body)
{
  try {
    return body();
  } catch (const Error& e) {
    std::cerr << "compose-fixture: " << e.message() << " at " << e.where() << "\n";
    return 1;
  }
}

} // namespace

int apk_compare_verb()
{
  std::string line;
  while (std::getline(std::cin, line)) {
    const std::size_t tab = line.find('\t');
    const int order = repo::apk::compare_versions(std::string_view(line).substr(0, tab),
                                                  tab == std::string::npos
                                                      ? std::string_view()
                                                      : std::string_view(line).substr(tab + 1));
    std::cout << (order < 0 ? "<" : order > 0 ? ">" : "=") << "\n";
  }
  return 0;
}

int apk_valid_verb()
{
  std::string line;
  while (std::getline(std::cin, line))
    std::cout << (repo::apk::is_valid_version(line) ? "1" : "0") << "\n";
  return 0;
}

int apk_list_verb(int argc, char** argv)
{
  if (argc < 4)
    return 2;
  return guarded([&] {
    const verify::Keyring keys = keys_from(argv[2]);
    for (const repo::apk::Index& index : load_indexes(argc, argv, keys))
      for (const repo::apk::Package& package : index.packages)
        std::cout << package.name << "-" << package.version << "\n";
    return 0;
  });
}

int apk_resolve_verb(int argc, char** argv)
{
  if (argc < 4)
    return 2;
  return guarded([&] {
    const verify::Keyring keys = keys_from(argv[2]);
    const std::vector<repo::apk::Index> indexes = load_indexes(argc, argv, keys);
    std::string line;
    while (std::getline(std::cin, line)) {
      std::vector<recipe::PackageSpec> requests;
      std::istringstream words(line);
      for (std::string word; words >> word;)
        requests.push_back({word, "", {}});
      try {
        const resolve::apk::Plan plan = resolve::apk::solve(requests, indexes);
        std::vector<std::string> installed;
        for (const repo::apk::Package& package : plan.packages)
          installed.push_back(package.name + "-" + package.version);
        std::sort(installed.begin(), installed.end());
        std::cout << "ok";
        for (const std::string& id : installed)
          std::cout << " " << id;
        std::cout << "\n";
      } catch (const Error& e) {
        std::string message = e.message();
        std::replace(message.begin(), message.end(), '\n', ' ');
        std::cout << "error " << message << "\n";
      }
    }
    return 0;
  });
}

} // namespace compose::testing
