// The host side of the guest's SSH port: a free port on 127.0.0.1, and reading sshd's
// identification line from it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace compose::boot {

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel picks it).
unsigned free_loopback_port();

// Connects to 127.0.0.1:port and reads the first line within `timeout`. Returns it only when
// it starts with "SSH-2.0-": QEMU's user network accepts a forwarded connection before the
// guest listens and then closes it, so a successful connect alone proves nothing.
std::optional<std::string> read_ssh_banner(unsigned port, std::chrono::milliseconds timeout);

} // namespace compose::boot
