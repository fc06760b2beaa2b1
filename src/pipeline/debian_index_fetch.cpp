// Packages indexes with apt's compression fallback; see debian_index_fetch.hpp.
#include "pipeline/debian_index_fetch.hpp"

#include <optional>
#include <sstream>

#include "util/error.hpp"

namespace compose::pipeline {

namespace {

fetch::Request request_for(const IndexChoice& choice, const IndexCandidate& candidate)
{
  fetch::Request request;
  request.urls = candidate.urls;
  request.sha256 = candidate.sha256;
  request.size = candidate.size;
  request.kind = fetch::Kind::packages_index;
  request.display_name = choice.suite + "/" + candidate.path;
  return request;
}

// The failure lines of a Fetcher error, without their indentation: "URL: problem".
std::vector<std::string> failure_lines(const std::string& message)
{
  std::vector<std::string> lines;
  std::istringstream in(message);
  std::string line;
  std::getline(in, line); // "cannot fetch NAME:"
  while (std::getline(in, line)) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start != std::string::npos)
      lines.push_back(line.substr(start));
  }
  return lines;
}

// The problem part of "URL: problem"; URLs hold ':' themselves, problems start after ": ".
std::string problem_of(const std::string& line)
{
  const std::size_t separator = line.find(": ");
  return separator == std::string::npos ? line : line.substr(separator + 2);
}

// One index, one candidate after another, as long as each is missing.
FetchedIndex fetch_with_fallback(const IndexChoice& choice, fetch::Fetcher& fetcher)
{
  FetchedIndex result;
  std::string tried;
  std::optional<Error> offline_miss;
  for (std::size_t i = 0; i < choice.candidates.size(); ++i) {
    const IndexCandidate& candidate = choice.candidates[i];
    try {
      result.file = fetcher.fetch(request_for(choice, candidate));
      result.used = i;
      return result;
    } catch (const Error& e) {
      if (!only_missing(e))
        throw;
      if (fetcher.options().offline)
        offline_miss = e;
      std::string reasons;
      for (const std::string& line : failure_lines(e.message()))
        reasons += (reasons.empty() ? "" : "; ") + line;
      result.missing.push_back(candidate.path + " (" + reasons + ")");
      tried += "\n    " + candidate.path + ": " + reasons;
    }
  }
  if (offline_miss)
    throw *offline_miss; // none is cached: say so, as for any file needed offline
  throw Error("no Packages file the Release lists for " + choice.name + " is on the mirror:" +
                  tried,
              choice.candidates.empty() || choice.candidates.front().urls.empty()
                  ? std::string()
                  : choice.candidates.front().urls.back(),
              "check that the mirror is complete (apt would fail the same way)");
}

} // namespace

bool only_missing(const Error& error)
{
  const std::string& message = error.message();
  if (message.find("needed offline are not in the cache") != std::string::npos ||
      message.starts_with("not in the cache"))
    return true;
  if (!message.starts_with("cannot fetch "))
    return false;
  const std::vector<std::string> lines = failure_lines(message);
  for (const std::string& line : lines) {
    const std::string problem = problem_of(line);
    if (!problem.starts_with("HTTP 404") && !problem.starts_with("HTTP 410") &&
        !problem.starts_with("cannot open ") && !problem.starts_with("not in "))
      return false;
  }
  return !lines.empty();
}

std::vector<FetchedIndex> fetch_packages_indexes(const std::vector<IndexChoice>& choices,
                                                 fetch::Fetcher& fetcher)
{
  // The common case in one parallel batch: every preferred file is there.
  std::vector<fetch::Request> preferred;
  for (const IndexChoice& choice : choices) {
    if (choice.candidates.empty())
      throw Error("no Packages file to fetch for " + choice.name);
    preferred.push_back(request_for(choice, choice.candidates.front()));
  }
  std::vector<FetchedIndex> results;
  try {
    for (fetch::Fetched& file : fetcher.fetch_all(preferred))
      results.push_back({std::move(file), 0, {}});
    return results;
  } catch (const Error& e) {
    // A wrong file, or a server that fails: trying the others would not help.
    if (choices.size() == 1 && !only_missing(e))
      throw;
    // Else one index at a time; the files already fetched are cache hits by digest.
  }
  for (const IndexChoice& choice : choices)
    results.push_back(fetch_with_fallback(choice, fetcher));
  return results;
}

} // namespace compose::pipeline
