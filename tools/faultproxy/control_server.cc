#include "control_server.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include "proxy_limits.h"
#include "proxy_server.h"

namespace millrace::faultproxy {

ControlServer::ControlServer(asio::io_context& io, Execute execute)
    : io_(io), execute_(std::move(execute)), acceptor_(io) {}

Status ControlServer::listen(const tcp::endpoint& endpoint) {
  return listen_on(acceptor_, endpoint);
}

uint16_t ControlServer::port() const {
  boost::system::error_code ec;
  const auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void ControlServer::start_accepting() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

awaitable<void> ControlServer::accept_loop() {
  while (!stopped_) {
    auto [ec, accepted] = co_await acceptor_.async_accept(kNoThrow);
    if (stopped_) break;
    if (ec) {
      co_await pause_after_failed_accept(acceptor_.get_executor());
      continue;
    }
    prune();
    if (sessions_.size() >= kControlSessionsMax) {
      boost::system::error_code ignored;
      accepted.close(ignored);
      continue;
    }
    auto socket = std::make_shared<tcp::socket>(std::move(accepted));
    sessions_.push_back(socket);
    asio::co_spawn(io_, session(socket), asio::detached);
  }
}

awaitable<void> ControlServer::session(std::shared_ptr<tcp::socket> socket) {
  std::string pending;
  auto input = asio::dynamic_buffer(pending, kControlLineBytesMax + 1);
  for (;;) {
    auto [read_ec, line_bytes] = co_await asio::async_read_until(*socket, input, '\n', kNoThrow);
    if (stopped_) co_return;
    std::string answer;
    bool keep_open = true;
    if (read_ec == asio::error::not_found) {  // the buffer filled without a newline
      answer = "error line too long (at most " + std::to_string(kControlLineBytesMax) + " bytes)\n";
      keep_open = false;
    } else if (read_ec) {
      break;  // closed by the client
    } else {
      answer = execute_(std::string_view(pending).substr(0, line_bytes - 1)) + "\n";
      input.consume(line_bytes);
    }
    auto [write_ec, written] = co_await asio::async_write(*socket, asio::buffer(answer), kNoThrow);
    if (write_ec || !keep_open) break;
  }
  boost::system::error_code ignored;
  socket->close(ignored);
}

void ControlServer::prune() {
  std::erase_if(sessions_, [](const std::weak_ptr<tcp::socket>& weak) {
    auto socket = weak.lock();
    return !socket || !socket->is_open();
  });
}

void ControlServer::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& weak : sessions_) {
    if (auto socket = weak.lock()) socket->close(ignored);
  }
  sessions_.clear();
}

}  // namespace millrace::faultproxy
