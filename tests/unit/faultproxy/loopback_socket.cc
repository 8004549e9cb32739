#include "loopback_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace millrace::faultproxy::testing {

namespace {
constexpr size_t kReadChunkBytes = 64 * 1024;
}

LoopbackSocket::LoopbackSocket(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    return;
  }
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  fd_ = fd;
}

LoopbackSocket::~LoopbackSocket() {
  if (fd_ >= 0) ::close(fd_);
}

LoopbackSocket::LoopbackSocket(LoopbackSocket&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

bool LoopbackSocket::wait_ready(short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd descriptor{fd_, events, 0};
    const int ready = ::poll(&descriptor, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (ready > 0) return true;
    if (ready == 0 || errno != EINTR) return false;
  }
}

bool LoopbackSocket::write_all(std::string_view bytes, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    if (!wait_ready(POLLOUT, deadline)) return false;
  }
  return true;
}

LoopbackSocket::ReadStatus LoopbackSocket::read_some(std::string& out, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[kReadChunkBytes];
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
      return ReadStatus::data;
    }
    if (n == 0) return ReadStatus::closed;
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return ReadStatus::closed;
    if (!wait_ready(POLLIN, deadline)) return ReadStatus::timeout;
  }
}

std::optional<std::string> LoopbackSocket::read_exact(size_t n, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  while (out.size() < n) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || read_some(out, left) != ReadStatus::data) return std::nullopt;
  }
  if (out.size() > n) return std::nullopt;  // more arrived than expected: the caller asked for exactly n
  return out;
}

bool LoopbackSocket::wait_closed(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string discarded;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    switch (read_some(discarded, left)) {
      case ReadStatus::closed:
        return true;
      case ReadStatus::timeout:
        return false;
      case ReadStatus::data:
        discarded.clear();
        break;
    }
  }
}

void LoopbackSocket::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

}  // namespace millrace::faultproxy::testing
