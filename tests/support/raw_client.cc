#include "raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/frame.h"

namespace millrace::testing {

RawClient::RawClient(uint16_t port, std::chrono::milliseconds timeout) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
  }
}

RawClient::~RawClient() {
  ::close(fd_);
}

bool RawClient::send_bytes(ByteView bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool RawClient::send_request(protocol::ApiKey key, uint32_t correlation_id,
                             const google::protobuf::MessageLite& body, ByteView payload) {
  Buffer frame;
  protocol::append_frame(frame, key, correlation_id, body, payload);
  return send_bytes(frame);
}

bool RawClient::read_exact(char* out, size_t n) {
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::recv(fd_, out + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

std::optional<RawResponse> RawClient::read_response() {
  char header[protocol::frame_format::kHeaderBytes];
  if (!read_exact(header, sizeof(header))) return std::nullopt;
  const uint32_t frame_length = protocol::load_be<uint32_t>(header);
  const uint32_t body_length = protocol::load_be<uint32_t>(header + protocol::frame_format::kBodyLength);
  RawResponse r;
  r.api_key = protocol::load_be<uint16_t>(header + protocol::frame_format::kApiKey);
  r.correlation_id = protocol::load_be<uint32_t>(header + protocol::frame_format::kCorrelationId);
  std::string rest(frame_length - protocol::frame_format::kFrameFixedBytes, '\0');
  if (!read_exact(rest.data(), rest.size())) return std::nullopt;
  r.body = rest.substr(0, body_length);
  r.payload = rest.substr(body_length);
  return r;
}

bool RawClient::closed_by_peer() {
  char byte;
  for (;;) {
    const ssize_t r = ::recv(fd_, &byte, 1, 0);
    if (r == 0) return true;  // EOF
    if (r < 0) return errno == ECONNRESET;
    // Data (e.g. an error response) before the close: keep reading.
  }
}

}  // namespace millrace::testing
