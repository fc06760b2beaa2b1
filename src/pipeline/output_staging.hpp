// OutputStaging: the outputs of one build appear in the output directory as one set, or not
// at all. They are written into a fresh set directory, out/.compose/<image>/<pid>-<random>/;
// commit() publishes the set by replacing one symlink, out/.compose/<image>/current, with a
// rename, and out/<file> are stable symlinks through `current`. So at every instant — also
// when the build is killed with SIGKILL half-way — each out/<file> of the image resolves into
// the same set, the old one or the new one, never a mix. An exception before commit() removes
// the set directory (and the directories this build created), so a failed build leaves
// nothing. Set directories that are no longer current and whose build is gone are removed by
// the next build of the image.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "util/files.hpp"

namespace compose::pipeline {

class OutputStaging {
public:
  OutputStaging(std::filesystem::path out_dir, std::string image);
  ~OutputStaging();
  OutputStaging(const OutputStaging&) = delete;
  OutputStaging& operator=(const OutputStaging&) = delete;

  // Where a writer should put the file that will become out_dir/<name>.
  std::filesystem::path path_for(const std::string& name);
  // Publishes the staged files as the image's current set; returns out_dir/<name> of each.
  std::vector<std::filesystem::path> commit();

private:
  std::filesystem::path m_out_dir;
  std::filesystem::path m_image_dir; // out_dir/.compose/<image>
  std::string m_image;
  std::vector<std::filesystem::path> m_created; // directories this build made, outermost first
  bool m_committed = false;
  TempPath m_set;
  std::vector<std::string> m_names;
};

} // namespace compose::pipeline
