#include "fake_broker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "millrace/protocol/frame_format.h"

namespace millrace::testing {

FakeBroker::FakeBroker(Handler handler) : handler_(std::move(handler)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(listen_fd_, 16) != 0) {
    throw std::runtime_error("fake broker: cannot listen");
  }
  socklen_t length = sizeof address;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FakeBroker::~FakeBroker() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  acceptor_.join();
  {
    std::lock_guard lock(mutex_);
    for (int fd : connection_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : threads_) t.join();
  for (int fd : connection_fds_) ::close(fd);
}

void FakeBroker::accept_loop() {
  while (!stopping_) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    connection_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void FakeBroker::serve(int fd) {
  Buffer buffer;
  char chunk[65536];
  while (true) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return;
    buffer.insert(buffer.end(), chunk, chunk + n);
    while (true) {
      const auto parsed = protocol::parse_frame(buffer, protocol::frame_format::kDefaultMaxFrameBytes);
      if (parsed.status == protocol::ParseStatus::error) return;
      if (parsed.status == protocol::ParseStatus::need_more) break;
      const Request request{static_cast<protocol::ApiKey>(parsed.frame.header.api_key),
                            parsed.frame.header.correlation_id, parsed.frame.body, parsed.frame.payload, fd};
      if (auto reply = handler_(request)) {
        size_t sent = 0;
        while (sent < reply->size()) {
          const ssize_t w = ::send(fd, reply->data() + sent, reply->size() - sent, MSG_NOSIGNAL);
          if (w <= 0) return;
          sent += static_cast<size_t>(w);
        }
      }
      buffer.erase(buffer.begin(),
                   buffer.begin() + static_cast<ptrdiff_t>(parsed.frame.header.total_bytes()));
    }
  }
}

Buffer FakeBroker::respond(const Request& request, const google::protobuf::MessageLite& body,
                           ByteView payload) {
  Buffer out;
  protocol::append_frame(out, request.api_key, request.correlation_id, body, payload);
  return out;
}

Buffer FakeBroker::accept_produce(const Request& request) {
  const auto produce = request.parse<wire::ProduceRequest>();
  wire::ProduceResponse response;
  for (const auto& p : produce.partitions()) {
    auto* result = response.add_results();
    result->set_topic(p.topic());
    result->set_partition(p.partition());
    result->set_base_offset(0);
  }
  return respond(request, response);
}

wire::MetadataResponse FakeBroker::metadata(
    const std::vector<std::pair<std::string, int32_t>>& topics) const {
  wire::MetadataResponse response;
  auto* broker = response.add_brokers();
  broker->set_node_id(0);
  broker->set_host("127.0.0.1");
  broker->set_port(port_);
  response.set_controller_id(0);
  response.set_cluster_id("fake");
  for (const auto& [name, count] : topics) {
    auto* topic = response.add_topics();
    topic->set_name(name);
    if (count < 0) {
      topic->set_error_code(3);
      topic->set_error_message("topic '" + name + "' does not exist");
      continue;
    }
    for (int32_t p = 0; p < count; ++p) {
      auto* partition = topic->add_partitions();
      partition->set_partition(p);
      partition->set_leader(0);
      partition->add_replicas(0);
    }
  }
  return response;
}

}  // namespace millrace::testing
