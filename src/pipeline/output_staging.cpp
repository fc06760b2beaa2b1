// OutputStaging; see output_staging.hpp.
#include "pipeline/output_staging.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

namespace {

constexpr std::string_view k_staging_prefix = ".compose-staging-";

// A staging directory a killed build left ("<prefix><pid>-<random>" whose process is gone) is
// removed by the next build into the same directory; one of a running build is left alone.
void remove_stale_staging(const fs::path& out_dir)
{
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(out_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(k_staging_prefix))
      continue;
    const std::string rest = name.substr(k_staging_prefix.size());
    const std::size_t dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos ||
        !std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(dash),
                     [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    const long pid = std::stol(rest.substr(0, dash));
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);
    }
  }
}

} // namespace

OutputStaging::OutputStaging(fs::path out_dir) : m_out_dir(std::move(out_dir))
{
  std::error_code ec;
  if (!fs::exists(m_out_dir, ec)) {
    fs::create_directories(m_out_dir, ec);
    if (ec)
      throw Error("cannot create output directory: " + ec.message(), m_out_dir.string());
    m_created_out_dir = true;
  } else if (!fs::is_directory(m_out_dir, ec)) {
    throw Error("output path exists and is not a directory", m_out_dir.string());
  }
  remove_stale_staging(m_out_dir);
  m_staging = make_temp_directory(std::string(k_staging_prefix) + std::to_string(::getpid()) + "-",
                                  m_out_dir);
}

OutputStaging::~OutputStaging()
{
  m_staging.reset();
  if (m_created_out_dir && !m_committed) {
    std::error_code ignored;
    fs::remove(m_out_dir, ignored); // only if still empty
  }
}

fs::path OutputStaging::path_for(const std::string& name)
{
  if (name.empty() || name.find('/') != std::string::npos || name.front() == '.')
    throw Error("invalid output file name " + quote(name));
  if (std::find(m_names.begin(), m_names.end(), name) != m_names.end())
    throw Error("two outputs would both be named " + quote(name));
  m_names.push_back(name);
  return m_staging.path() / name;
}

std::vector<fs::path> OutputStaging::commit()
{
  std::vector<fs::path> placed;
  for (const std::string& name : m_names) {
    const fs::path from = m_staging.path() / name;
    const fs::path to = m_out_dir / name;
    std::error_code ec;
    if (!fs::exists(from, ec))
      continue; // an optional output that was not produced
    fs::rename(from, to, ec);
    if (ec) {
      for (const fs::path& done : placed) {
        std::error_code ignored;
        fs::remove(done, ignored);
      }
      throw Error("cannot move output into place: " + ec.message(), to.string());
    }
    placed.push_back(to);
  }
  m_committed = true;
  return placed;
}

} // namespace compose::pipeline
