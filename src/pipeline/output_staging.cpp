// OutputStaging; see output_staging.hpp.
#include "pipeline/output_staging.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/error.hpp"
#include "util/interrupt_cleanup.hpp"

namespace fs = std::filesystem;

namespace compose::pipeline {

namespace {

constexpr const char* k_current = "current";

// "<pid>-…" names the build that made an entry of the image directory.
bool made_by_gone_or_this_build(const std::string& name)
{
  const std::size_t dash = name.find('-');
  if (dash == 0 || dash == std::string::npos || dash > 10 ||
      !std::all_of(name.begin(), name.begin() + static_cast<std::ptrdiff_t>(dash),
                   [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const long pid = std::stol(name.substr(0, dash));
  if (pid == ::getpid())
    return true;
  return pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// Removes what killed or finished builds left in the image directory: set directories that
// are not current, and half-made symlinks. A running build's entries stay.
void remove_stale_entries(const fs::path& image_dir)
{
  std::error_code ec;
  const fs::path current = fs::read_symlink(image_dir / k_current, ec);
  for (const fs::directory_entry& entry : fs::directory_iterator(image_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == k_current || name == current.string() || !made_by_gone_or_this_build(name))
      continue;
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

void sync_directory(const fs::path& dir)
{
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Makes `at` a symlink to `target` with one rename, through a temporary link in `temp_dir`.
void replace_with_symlink(const fs::path& at, const fs::path& target, const fs::path& temp_dir)
{
  std::error_code ec;
  if (fs::is_symlink(fs::symlink_status(at, ec)) && fs::read_symlink(at, ec) == target)
    return;
  if (fs::is_directory(fs::symlink_status(at, ec)))
    throw Error("output path exists and is a directory", at.string());
  const fs::path temp = temp_dir / (std::to_string(::getpid()) + "-" + random_suffix() + ".link");
  fs::create_symlink(target, temp, ec);
  if (!ec)
    fs::rename(temp, at, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw Error("cannot publish output: " + ec.message(), at.string());
  }
}

} // namespace

OutputStaging::OutputStaging(fs::path out_dir, std::string image)
    : m_out_dir(std::move(out_dir)), m_image(std::move(image))
{
  if (m_image.empty() || m_image.front() == '.' || m_image.find('/') != std::string::npos)
    throw Error("invalid image name for an output directory " + quote(m_image));
  m_image_dir = m_out_dir / ".compose" / m_image;
  for (const fs::path& dir : {m_out_dir, m_out_dir / ".compose", m_image_dir}) {
    std::error_code ec;
    if (fs::is_directory(dir, ec))
      continue;
    if (fs::exists(fs::symlink_status(dir, ec)))
      throw Error("output path exists and is not a directory", dir.string());
    if (!fs::create_directory(dir, ec) && ec)
      throw Error("cannot create output directory: " + ec.message(), dir.string());
    m_created.push_back(dir);
    register_created_directory(dir);
  }
  remove_stale_entries(m_image_dir);
  m_set = make_temp_directory(std::to_string(::getpid()) + "-", m_image_dir);
  // Like the files (0644), the directories on the way to them do not take the umask.
  for (const fs::path& dir : {m_set.path(), m_image_dir, m_out_dir / ".compose"}) {
    std::error_code ignored;
    if (dir == m_set.path() || std::find(m_created.begin(), m_created.end(), dir) != m_created.end())
      fs::permissions(dir, fs::perms(0755), ignored);
  }
}

OutputStaging::~OutputStaging()
{
  m_set.reset();
  for (auto dir = m_created.rbegin(); dir != m_created.rend(); ++dir) {
    unregister_created_directory(*dir);
    std::error_code ignored;
    if (!m_committed)
      fs::remove(*dir, ignored); // only if still empty
  }
}

fs::path OutputStaging::path_for(const std::string& name)
{
  if (name.empty() || name.find('/') != std::string::npos || name.front() == '.')
    throw Error("invalid output file name " + quote(name));
  if (std::find(m_names.begin(), m_names.end(), name) != m_names.end())
    throw Error("two outputs would both be named " + quote(name));
  m_names.push_back(name);
  return m_set.path() / name;
}

std::vector<fs::path> OutputStaging::commit()
{
  const fs::path through_current = fs::path(".compose") / m_image / k_current;
  std::vector<fs::path> placed;
  // 1. Stable links out/<name> -> .compose/<image>/current/<name>. Until the switch they
  //    resolve into the old set (or to nothing, for a file the old set lacks).
  for (const std::string& name : m_names) {
    std::error_code ec;
    if (!fs::exists(m_set.path() / name, ec))
      continue; // an optional output that was not produced
    replace_with_symlink(m_out_dir / name, through_current / name, m_image_dir);
    placed.push_back(m_out_dir / name);
  }
  sync_directory(m_set.path()); // the files themselves were synced when they were closed
  sync_directory(m_out_dir);

  // 2. The switch: one rename. From here on the set is no longer this build's to remove.
  const fs::path set = m_set.release();
  try {
    replace_with_symlink(m_image_dir / k_current, set.filename(), m_image_dir);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(set, ignored);
    throw;
  }
  m_committed = true;
  sync_directory(m_image_dir);

  // 3. Tidy: links to files the new set lacks, and the sets no build uses any more.
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(m_out_dir, ec)) {
    std::error_code link_ec;
    const fs::path target = fs::read_symlink(entry.path(), link_ec);
    if (!link_ec && target.parent_path() == through_current && !fs::exists(entry.path(), link_ec))
      fs::remove(entry.path(), link_ec);
  }
  remove_stale_entries(m_image_dir);
  return placed;
}

} // namespace compose::pipeline
