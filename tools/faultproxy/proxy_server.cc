#include "proxy_server.h"

#include <spdlog/spdlog.h>

#include "proxy_limits.h"

namespace millrace::faultproxy {

Status listen_on(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  auto fail = [&](const char* what) {
    return make_error(
        std::errc::address_not_available,
        fmt::format("{} {}:{}: {}", what, endpoint.address().to_string(), endpoint.port(), ec.message()));
  };
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail("cannot open a socket for");
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec); ec) return fail("cannot set options on");
  if (acceptor.bind(endpoint, ec); ec) return fail("cannot bind");
  if (acceptor.listen(tcp::socket::max_listen_connections, ec); ec) return fail("cannot listen on");
  return {};
}

awaitable<void> pause_after_failed_accept(const asio::any_io_executor& executor) {
  asio::steady_timer timer(executor, kAcceptRetryDelay);
  co_await timer.async_wait(kNoThrow);
}

ProxyServer::ProxyServer(asio::io_context& io, FaultState& faults, uint32_t max_frame_bytes)
    : io_(io), faults_(faults), max_frame_bytes_(max_frame_bytes), acceptor_(io) {}

Status ProxyServer::listen(const tcp::endpoint& endpoint, tcp::resolver::results_type target) {
  target_ = std::move(target);
  return listen_on(acceptor_, endpoint);
}

uint16_t ProxyServer::port() const {
  boost::system::error_code ec;
  const auto endpoint = acceptor_.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void ProxyServer::start_accepting() {
  asio::co_spawn(io_, accept_loop(), asio::detached);
}

awaitable<void> ProxyServer::accept_loop() {
  while (!stopped_) {
    auto [ec, socket] = co_await acceptor_.async_accept(kNoThrow);
    if (stopped_) break;
    if (ec) {
      spdlog::debug("faultproxy: accept failed: {}", ec.message());
      co_await pause_after_failed_accept(acceptor_.get_executor());
      continue;
    }
    prune();
    if (faults_.refusing() || connections_.size() >= kConnectionsMax) {
      boost::system::error_code ignored;
      socket.set_option(asio::socket_base::linger(true, 0), ignored);
      socket.close(ignored);
      faults_.count_refused();
      continue;
    }
    faults_.count_accepted();
    auto connection =
        std::make_shared<ProxyConnection>(std::move(socket), target_, faults_, max_frame_bytes_);
    connections_.push_back(connection);
    connection->start();
  }
}

void ProxyServer::prune() {
  std::erase_if(connections_, [](const std::weak_ptr<ProxyConnection>& weak) {
    auto connection = weak.lock();
    return !connection || connection->closed();
  });
}

void ProxyServer::abort_all() {
  for (auto& weak : connections_) {
    if (auto connection = weak.lock()) connection->abort();
  }
  connections_.clear();
}

void ProxyServer::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  abort_all();
}

}  // namespace millrace::faultproxy
