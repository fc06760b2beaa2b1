// OutputStaging; see output_staging.hpp.
#include "pipeline/output_staging.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

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
  m_staging = make_temp_directory(".compose-staging-", m_out_dir);
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
