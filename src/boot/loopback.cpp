// Loopback sockets for `compose boot`. Nothing here listens or connects beyond 127.0.0.1.
#include "boot/loopback.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.hpp"

namespace compose::boot {

namespace {

class Socket {
public:
  Socket() : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0))
  {
    if (m_fd < 0)
      throw Error(std::string("cannot make a socket: ") + std::strerror(errno), "compose boot");
  }
  ~Socket() { ::close(m_fd); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return m_fd; }

private:
  int m_fd;
};

sockaddr_in loopback_address(unsigned port)
{
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

bool wait_for(int fd, short events, std::chrono::steady_clock::time_point deadline)
{
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    pollfd entry{fd, events, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR)
      continue;
    return ready > 0;
  }
}

} // namespace

unsigned free_loopback_port()
{
  Socket socket;
  sockaddr_in address = loopback_address(0);
  if (::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    throw Error(std::string("cannot bind to 127.0.0.1: ") + std::strerror(errno),
                "compose boot");
  socklen_t length = sizeof address;
  ::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

std::optional<std::string> read_ssh_banner(unsigned port, std::chrono::milliseconds timeout)
{
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  Socket socket;
  ::fcntl(socket.get(), F_SETFL, ::fcntl(socket.get(), F_GETFL) | O_NONBLOCK);
  const sockaddr_in address = loopback_address(port);
  if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINPROGRESS || !wait_for(socket.get(), POLLOUT, deadline))
      return std::nullopt;
    int error = 0;
    socklen_t length = sizeof error;
    ::getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0)
      return std::nullopt;
  }
  std::string line;
  while (line.find('\n') == std::string::npos && line.size() < 256) {
    if (!wait_for(socket.get(), POLLIN, deadline))
      return std::nullopt;
    char buffer[256];
    const ssize_t count = ::recv(socket.get(), buffer, sizeof buffer, 0);
    if (count < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (count <= 0)
      return std::nullopt;
    line.append(buffer, static_cast<std::size_t>(count));
  }
  line = line.substr(0, line.find_first_of("\r\n"));
  if (!line.starts_with("SSH-2.0-"))
    return std::nullopt;
  return line;
}

} // namespace compose::boot
