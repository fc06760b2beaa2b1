// OutputStaging: every output of a build is written into a hidden staging directory inside
// the output directory and moved into place only by commit(), after all of them exist.
// An exception before that removes the staging directory (and the output directory, if
// this build created it), so a failed build leaves nothing in out/.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/files.hpp"

namespace compose::pipeline {

class OutputStaging {
public:
  explicit OutputStaging(std::filesystem::path out_dir);
  ~OutputStaging();
  OutputStaging(const OutputStaging&) = delete;
  OutputStaging& operator=(const OutputStaging&) = delete;

  // Where a writer should put the file that will become out_dir/<name>.
  std::filesystem::path path_for(const std::string& name);
  // Renames every staged file into out_dir; on failure, undoes the renames done so far.
  std::vector<std::filesystem::path> commit();

private:
  std::filesystem::path m_out_dir;
  bool m_created_out_dir = false;
  bool m_committed = false;
  TempPath m_staging;
  std::vector<std::string> m_names;
};

} // namespace compose::pipeline
