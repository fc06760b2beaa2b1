// Mirror rewriting and the host's apt mirror; see mirrors.hpp.
#include "pipeline/mirrors.hpp"

#include <algorithm>
#include <sstream>

#include "util/error.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

namespace {

bool usable_uri(const std::string& uri)
{
  return uri.starts_with("http://") || uri.starts_with("https://") || uri.starts_with("file:/");
}

// One "deb" source: its first usable URI and the suites it serves.
struct AptSource {
  std::string uri;
  std::vector<std::string> suites;
};

std::vector<std::string> words_of(const std::string& text)
{
  std::istringstream stream(text);
  std::vector<std::string> words;
  for (std::string word; stream >> word;)
    words.push_back(word);
  return words;
}

// deb822 stanzas with "Types: deb" and a usable URI.
std::vector<AptSource> from_deb822(const std::string& text)
{
  std::vector<AptSource> sources;
  std::istringstream lines(text + "\n\n");
  std::string line, types, uris, suites;
  while (std::getline(lines, line)) {
    if (line.empty() || line.find_first_not_of(" \t") == std::string::npos) {
      // "Types: deb deb-src" qualifies, "Types: deb-src" alone does not.
      if ((" " + types + " ").find(" deb ") != std::string::npos)
        for (const std::string& uri : words_of(uris))
          if (usable_uri(uri)) {
            sources.push_back({uri, words_of(suites)});
            break;
          }
      types.clear();
      uris.clear();
      suites.clear();
      continue;
    }
    if (line.starts_with("Types:"))
      types = line.substr(6);
    else if (line.starts_with("URIs:"))
      uris = line.substr(5);
    else if (line.starts_with("Suites:"))
      suites = line.substr(7);
  }
  return sources;
}

// One-line style: "deb [options] URI suite components".
std::vector<AptSource> from_list(const std::string& text)
{
  std::vector<AptSource> sources;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string word;
    if (!(words >> word) || word != "deb")
      continue;
    while (words >> word) {
      if (word.starts_with("[")) {
        while (word.find(']') == std::string::npos && (words >> word)) {
        }
        continue;
      }
      std::string suite;
      if (usable_uri(word) && (words >> suite))
        sources.push_back({word, {suite}});
      break;
    }
  }
  return sources;
}

std::vector<AptSource> apt_sources(const fs::path& etc_apt)
{
  std::vector<fs::path> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(etc_apt / "sources.list.d", error))
    if (entry.path().extension() == ".sources" || entry.path().extension() == ".list")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (fs::exists(etc_apt / "sources.list"))
    files.insert(files.begin(), etc_apt / "sources.list");
  std::vector<AptSource> sources;
  for (const fs::path& file : files) {
    const std::string text = read_file(file);
    for (AptSource& source : file.extension() == ".sources" ? from_deb822(text) : from_list(text))
      sources.push_back(std::move(source));
  }
  return sources;
}

} // namespace

std::pair<std::string, std::string> parse_mirror(const std::string& text)
{
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
    throw UsageError("--mirror wants FROM=TO, got " + quote(text),
                     "e.g. --mirror https://dl-cdn.alpinelinux.org/alpine=file:///srv/alpine");
  return {text.substr(0, equals), text.substr(equals + 1)};
}

std::string host_apt_uri(const fs::path& etc_apt, const std::vector<std::string>& suites)
{
  const std::vector<AptSource> sources = apt_sources(etc_apt);
  if (sources.empty())
    throw Error("this machine's apt configuration names no Debian mirror", etc_apt.string(),
                "a recipe with url = \"host-apt\" needs a deb source in /etc/apt/sources.list(.d)");
  // The source that serves every suite asked for (the security pocket usually lives at
  // another URI than the release); else the first, whose Release files will tell.
  for (const AptSource& source : sources)
    if (std::all_of(suites.begin(), suites.end(), [&](const std::string& suite) {
          return std::find(source.suites.begin(), source.suites.end(), suite) !=
                 source.suites.end();
        }))
      return source.uri;
  return sources.front().uri;
}

std::vector<std::pair<std::string, std::string>>
apply_mirrors(recipe::Recipe& recipe,
              const std::vector<std::pair<std::string, std::string>>& mirrors,
              const fs::path& etc_apt)
{
  std::vector<std::pair<std::string, std::string>> rewrites;
  for (const auto& mirror : mirrors)
    if (mirror.first != "host-apt")
      rewrites.push_back(mirror);
  const auto host_mirror = std::find_if(mirrors.begin(), mirrors.end(),
                                        [](const auto& mirror) { return mirror.first == "host-apt"; });
  for (recipe::RepositorySpec& repository : recipe.repositories) {
    if (repository.url != "host-apt")
      continue;
    if (host_mirror == mirrors.end()) {
      repository.url = host_apt_uri(etc_apt, repository.suites);
      continue;
    }
    // The image names the host's mirror; the transfers go to the given copy. A machine
    // without apt configuration has no public name to give, so the copy is the URL.
    try {
      repository.url = host_apt_uri(etc_apt, repository.suites);
      rewrites.emplace_back(repository.url, host_mirror->second);
    } catch (const Error&) {
      repository.url = host_mirror->second;
    }
  }
  std::sort(rewrites.begin(), rewrites.end());
  rewrites.erase(std::unique(rewrites.begin(), rewrites.end()), rewrites.end());
  return rewrites;
}

std::vector<fetch::RepositoryMirrors> repository_mirrors(const recipe::Recipe& recipe)
{
  std::vector<fetch::RepositoryMirrors> result;
  for (const recipe::RepositorySpec& repository : recipe.repositories) {
    fetch::RepositoryMirrors mirrors{{repository.url}, repository.max_index_size};
    mirrors.urls.insert(mirrors.urls.end(), repository.mirrors.begin(), repository.mirrors.end());
    result.push_back(std::move(mirrors));
  }
  return result;
}

} // namespace compose::pipeline
