// The apk solver against golden cases in tests/golden/resolve/*.txt.
//
// A case file has sections:
//   --- repo NAME [@TAG]   APKINDEX-style records (C: defaults to Q1<name-version>)
//   --- request            one world token per line
//   --- expect             the plan, one "name-version" per line in install order,
//                          or lines "error: TEXT" that must all appear in the error message
// Lines starting with '#' outside records are comments.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "resolve/plan.hpp"
#include "test_paths.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace fs = std::filesystem;
using namespace compose;

namespace {

struct Case {
  std::vector<repo::apk::Index> indexes;
  std::vector<recipe::PackageSpec> requests;
  std::vector<std::string> expect;
};

std::string with_default_checksums(const std::string& records)
{
  // Each record gets a C: line when it has none, so cases stay short.
  std::string out, record;
  std::istringstream in(records + "\n\n");
  auto flush = [&] {
    if (record.empty())
      return;
    if (record.find("C:") != 0 && record.find("\nC:") == std::string::npos) {
      const auto p = record.find("P:");
      const auto v = record.find("V:");
      const std::string name = record.substr(p + 2, record.find('\n', p) - p - 2);
      const std::string version = record.substr(v + 2, record.find('\n', v) - v - 2);
      record = "C:Q1" + name + "-" + version + "\n" + record;
    }
    out += record + "\n";
    record.clear();
  };
  for (std::string line; std::getline(in, line);) {
    if (line.empty())
      flush();
    else
      record += line + "\n";
  }
  return out;
}

Case load(const fs::path& file)
{
  Case c;
  std::istringstream in(read_file(file));
  std::string section, records, repo_name, repo_tag;
  auto close_repo = [&] {
    if (section != "repo")
      return;
    repo::apk::Index index;
    index.repository.name = repo_name;
    index.repository.tag = repo_tag;
    index.repository.base_url = "https://mirror/" + repo_name;
    index.repository.arch = "x86_64";
    index.packages =
        repo::apk::parse_index_text(with_default_checksums(records), file.filename().string(),
                                    c.indexes.size());
    c.indexes.push_back(std::move(index));
    records.clear();
  };
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("--- ")) {
      close_repo();
      std::istringstream header(line.substr(4));
      header >> section;
      repo_name.clear();
      repo_tag.clear();
      if (section == "repo") {
        header >> repo_name;
        std::string tag;
        if (header >> tag && tag.starts_with("@"))
          repo_tag = tag.substr(1);
      }
      continue;
    }
    if (section == "repo") {
      records += line + "\n";
      continue;
    }
    if (line.empty() || line.starts_with("#"))
      continue;
    if (section == "request") {
      const auto op = line.find_first_of("<>=~");
      recipe::PackageSpec spec;
      spec.name = line.substr(0, op);
      spec.constraint = op == std::string::npos ? "" : line.substr(op);
      spec.where = {file.filename().string(), 1, 1};
      c.requests.push_back(spec);
    } else if (section == "expect") {
      c.expect.push_back(line);
    }
  }
  close_repo();
  return c;
}

std::string run(const Case& c)
{
  try {
    const resolve::apk::Plan plan = resolve::apk::solve(c.requests, c.indexes);
    std::string text;
    for (const auto& package : plan.packages)
      text += package.name + "-" + package.version + "\n";
    return text;
  } catch (const Error& e) {
    return "error: " + e.message();
  }
}

} // namespace

TEST_SUITE("resolve::apk::solve")
{
  TEST_CASE("golden cases")
  {
    const fs::path dir = testing::source_dir() / "tests" / "golden" / "resolve";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().extension() == ".txt")
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() >= 15);
    for (const fs::path& file : files) {
      CAPTURE(file.filename().string());
      const Case c = load(file);
      const std::string got = run(c);
      CAPTURE(got);
      if (!c.expect.empty() && c.expect.front().starts_with("error: ")) {
        REQUIRE(got.starts_with("error: "));
        for (const std::string& line : c.expect)
          CHECK(got.find(line.substr(7)) != std::string::npos);
      } else {
        std::string want;
        for (const std::string& line : c.expect)
          want += line + "\n";
        CHECK(got == want);
      }
    }
  }

  TEST_CASE("the plan does not depend on the order of index records")
  {
    const Case c = load(testing::source_dir() / "tests" / "golden" / "resolve" /
                        "docker-host.txt");
    const std::string reference = run(c);
    std::mt19937 shuffle(7);
    for (int round = 0; round < 5; ++round) {
      Case shuffled = c;
      for (auto& index : shuffled.indexes)
        std::shuffle(index.packages.begin(), index.packages.end(), shuffle);
      CHECK(run(shuffled) == reference);
    }
  }
}
