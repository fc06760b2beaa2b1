// Which processes a booted image must run, and which of them a process listing lacks.
#pragma once

#include <string>
#include <vector>

namespace compose::boot {

enum class Engine { docker, podman };

// "supervisord", "sshd", "cron|crond" (either name: Debian's cron, Alpine's crond), and
// "dockerd" or "podman".
std::vector<std::string> required_services(Engine engine);

// The required entries with no matching line in `comm_lines` (one process name per line, as
// /proc/PID/comm holds it), space-separated; empty when all run.
std::string missing_services(const std::string& comm_lines, Engine engine);

} // namespace compose::boot
