// Recording and applying update-alternatives --install calls; see alternatives.hpp.
#include "unpack/deb/alternatives.hpp"

#include <charconv>

#include "unpack/deb/tree_writes.hpp"

namespace compose::unpack::deb {

namespace {

bool is_absolute(const std::string& path)
{
  return path.starts_with("/") && path.find('$') == std::string::npos;
}

} // namespace

std::optional<std::string> record_alternative(const std::vector<std::string>& words,
                                              DpkgState& state)
{
  std::size_t i = 1;
  while (i < words.size() && (words[i] == "--quiet" || words[i] == "--verbose" ||
                              words[i] == "--debug" || words[i] == "--force"))
    ++i;
  if (i >= words.size())
    return std::nullopt;
  const std::string& action = words[i];
  if (action == "--remove" || action == "--remove-all" || action == "--display" ||
      action == "--query" || action == "--list" || action == "--get-selections")
    return ""; // nothing registered yet on a first installation, or only a query
  if (action != "--install" || i + 4 >= words.size())
    return std::nullopt;
  const std::string& link = words[i + 1];
  const std::string& name = words[i + 2];
  const std::string& path = words[i + 3];
  long priority = 0;
  const std::string& priority_text = words[i + 4];
  const auto [end, status] = std::from_chars(priority_text.data(),
                                             priority_text.data() + priority_text.size(), priority);
  if (status != std::errc() || end != priority_text.data() + priority_text.size() ||
      !is_absolute(link) || !is_absolute(path) || name.empty() || name.find('/') != std::string::npos)
    return std::nullopt;
  AlternativeChoice choice{path, priority, {}};
  std::vector<std::pair<std::string, std::string>> slave_links;
  for (i += 5; i < words.size(); i += 4) {
    if (words[i] != "--slave" || i + 3 >= words.size() || !is_absolute(words[i + 1]) ||
        !is_absolute(words[i + 3]))
      return std::nullopt;
    slave_links.emplace_back(words[i + 2], words[i + 1]);
    choice.slaves[words[i + 2]] = words[i + 3];
  }
  Alternative& alternative = state.alternatives[name];
  alternative.name = name;
  alternative.link = link; // the latest registration decides the master link, as upstream
  for (const auto& [slave, slave_link] : slave_links)
    alternative.slaves[slave] = slave_link;
  std::erase_if(alternative.choices, [&](const auto& old) { return old.path == path; });
  alternative.choices.push_back(std::move(choice));
  return "alternative " + name + ": " + path + " (priority " + std::to_string(priority) + ")";
}

void apply_alternatives(const DpkgState& state, stage::Tree& tree, std::int64_t epoch,
                        std::vector<std::string>& warnings)
{
  for (const auto& [name, alternative] : state.alternatives) {
    const AlternativeChoice* best = alternative.best();
    if (!best)
      continue;
    if (!tree.resolve(stage::Tree::normalise(best->path))) {
      warnings.push_back("alternative " + name + ": " + best->path +
                         " is not in the image; no " + alternative.link + " link made");
      continue;
    }
    write_symlink(tree, "/etc/alternatives/" + name, best->path, epoch);
    write_symlink(tree, alternative.link, "/etc/alternatives/" + name, epoch);
    for (const auto& [slave, slave_link] : alternative.slaves) {
      const auto target = best->slaves.find(slave);
      if (target == best->slaves.end() || !tree.resolve(stage::Tree::normalise(target->second)))
        continue; // update-alternatives leaves out slaves whose file is absent
      write_symlink(tree, "/etc/alternatives/" + slave, target->second, epoch);
      write_symlink(tree, slave_link, "/etc/alternatives/" + slave, epoch);
    }
  }
}

} // namespace compose::unpack::deb
