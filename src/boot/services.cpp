// Matches /proc/*/comm lines against the services an image must run.
#include "boot/services.hpp"

#include <set>
#include <sstream>

namespace compose::boot {

std::vector<std::string> required_services(Engine engine)
{
  return {"supervisord", "sshd", "cron|crond", engine == Engine::docker ? "dockerd" : "podman"};
}

std::string missing_services(const std::string& comm_lines, Engine engine)
{
  std::set<std::string> running;
  std::istringstream stream(comm_lines);
  std::string line;
  while (std::getline(stream, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
      line.pop_back();
    running.insert(line);
  }
  std::string missing;
  for (const std::string& wanted : required_services(engine)) {
    bool found = false;
    std::size_t start = 0;
    while (start <= wanted.size() && !found) {
      std::size_t end = wanted.find('|', start);
      if (end == std::string::npos)
        end = wanted.size();
      found = running.contains(wanted.substr(start, end - start));
      start = end + 1;
    }
    if (!found)
      missing += (missing.empty() ? "" : " ") + wanted;
  }
  return missing;
}

} // namespace compose::boot
