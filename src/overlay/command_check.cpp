// After the overlays: every program supervisord will start and the command the init hands
// over to must exist in the image as an executable file. A wrong path (Debian's docker.io
// puts dockerd in /usr/sbin, Docker's packages in /usr/bin) would otherwise only show at
// boot, as a program in FATAL state.
#include <array>

#include "overlay/overlays.hpp"
#include "util/error.hpp"

namespace compose::overlay {

namespace {

// The init script's PATH: supervisord and its programs inherit it.
constexpr std::array<const char*, 6> k_path = {"usr/local/sbin", "usr/local/bin", "usr/sbin",
                                               "usr/bin",        "sbin",          "bin"};

bool executable_at(const stage::Tree& tree, const std::string& path)
{
  const auto inode = tree.resolve(path);
  return inode && inode->type == stage::FileType::regular && (inode->mode & 0111) != 0;
}

// Where PATH finds `name`, or "" when nowhere.
std::string on_path(const stage::Tree& tree, const std::string& name)
{
  for (const char* directory : k_path)
    if (executable_at(tree, std::string(directory) + "/" + name))
      return "/" + std::string(directory) + "/" + name;
  return {};
}

void check_command(const stage::Tree& tree, const std::string& command, const std::string& what,
                   const recipe::SourceLocation& where)
{
  const std::string program = command.substr(0, command.find_first_of(" \t"));
  if (program.empty())
    throw Error(what + " has an empty command", where.str());
  if (program.front() != '/') {
    if (on_path(tree, program).empty())
      throw Error(what + ": " + quote(program) + " is not on PATH in the image", where.str(),
                  "install the package that provides it");
    return;
  }
  if (executable_at(tree, stage::Tree::normalise(program)))
    return;
  const std::string name = program.substr(program.rfind('/') + 1);
  const std::string found = on_path(tree, name);
  throw Error(what + ": " + program + " is not an executable file in the image", where.str(),
              found.empty() ? "install the package that provides it"
                            : "the installed packages put it at " + found);
}

} // namespace

void check_commands(const recipe::Recipe& recipe, const stage::Tree& tree)
{
  const recipe::Overlays& overlays = recipe.overlays;
  if (overlays.supervisor.enabled)
    for (const recipe::ProgramSpec& program : overlays.supervisor.programs)
      check_command(tree, program.command, "program " + quote(program.name), program.where);
  if (overlays.init.enabled && !overlays.init.exec.empty())
    check_command(tree, overlays.init.exec.front(), "[init] exec", overlays.init.where);
}

} // namespace compose::overlay
