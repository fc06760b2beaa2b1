// What an OCI runtime accepts in an image configuration, checked when a recipe is read so
// that `compose check` refuses a value that would only fail at `docker run` (or be written
// into the image silently). Each returns an empty string when the value is fine, else why not.
#pragma once

#include <string>
#include <string_view>

namespace compose::recipe {

// StopSignal: a Linux signal name with SIG prefix (runc's and moby's tables), SIGRTMIN+n,
// SIGRTMAX-n, or a number 1-64.
bool is_known_signal(std::string_view signal);

std::string env_name_problem(std::string_view name);     // Env: NAME=value, NAME without '='
std::string user_problem(std::string_view user);         // user, uid, user:group, uid:gid
std::string label_key_problem(std::string_view key);     // Labels and annotations
std::string reference_problem(std::string_view tag);     // org.opencontainers.image.ref.name
std::string argument_problem(std::string_view argument); // Entrypoint/Cmd words, Env values

} // namespace compose::recipe
