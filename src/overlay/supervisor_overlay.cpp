// [supervisor]: a complete supervisord.conf. supervisord runs in the foreground (it is what
// the init hands over to), logs nowhere of its own (nodaemon already copies its log to
// stdout), and every program's output goes to supervisord's stdout: the serial console in a
// VM, the container log under an engine. The control socket stays root-only.
#include "overlay/overlays.hpp"

namespace compose::overlay {

namespace {

// supervisord's environment syntax: KEY="value",KEY2="value2" with quotes and % escaped.
std::string environment_line(const std::map<std::string, std::string>& environment)
{
  std::string line;
  for (const auto& [key, value] : environment) {
    std::string escaped;
    for (char c : value) {
      if (c == '"' || c == '\\')
        escaped += '\\';
      escaped += c == '%' ? std::string("%%") : std::string(1, c);
    }
    line += (line.empty() ? "" : ",") + key + "=\"" + escaped + "\"";
  }
  return line;
}

} // namespace

std::string supervisord_conf(const recipe::SupervisorSpec& supervisor)
{
  std::string text = "; Written by compose from the recipe's [supervisor] table.\n"
                     "[supervisord]\n"
                     "nodaemon=true\n"
                     "user=root\n"
                     "logfile=/dev/null\n"
                     "logfile_maxbytes=0\n"
                     "pidfile=/run/supervisord.pid\n"
                     "\n"
                     "[unix_http_server]\n"
                     "file=/run/supervisor.sock\n"
                     "chmod=0700\n"
                     "\n"
                     "[rpcinterface:supervisor]\n"
                     "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
                     "\n"
                     "[supervisorctl]\n"
                     "serverurl=unix:///run/supervisor.sock\n";
  for (const recipe::ProgramSpec& program : supervisor.programs) {
    text += "\n[program:" + program.name + "]\n";
    text += "command=" + program.command + "\n";
    text += "priority=" + std::to_string(program.priority) + "\n";
    text += "autostart=true\n";
    text += std::string("autorestart=") + (program.autorestart ? "true" : "false") + "\n";
    text += "startsecs=" + std::to_string(program.startsecs) + "\n";
    if (!program.user.empty())
      text += "user=" + program.user + "\n";
    if (!program.directory.empty())
      text += "directory=" + program.directory + "\n";
    if (!program.environment.empty())
      text += "environment=" + environment_line(program.environment) + "\n";
    text += "stdout_logfile=/dev/stdout\n"
            "stdout_logfile_maxbytes=0\n"
            "redirect_stderr=true\n";
  }
  return text;
}

} // namespace compose::overlay
