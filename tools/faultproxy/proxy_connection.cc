#include "proxy_connection.h"

#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>

#include "proxy_limits.h"

namespace millrace::faultproxy {

namespace {

constexpr int kLoopsPerConnection = 4;  // reader and writer, up and down

void close_socket(tcp::socket& socket, bool with_reset) {
  boost::system::error_code ignored;
  if (!socket.is_open()) return;
  if (with_reset) socket.set_option(asio::socket_base::linger(true, 0), ignored);
  socket.close(ignored);
}

}  // namespace

ProxyConnection::ProxyConnection(tcp::socket client, const tcp::resolver::results_type& target,
                                 FaultState& faults, uint32_t max_frame_bytes)
    : client_(std::move(client)),
      server_(client_.get_executor()),
      target_(target),
      faults_(faults),
      up_(Direction::up, client_, server_, faults, max_frame_bytes),
      down_(Direction::down, server_, client_, faults, max_frame_bytes),
      connect_timer_(client_.get_executor()) {}

void ProxyConnection::start() {
  asio::co_spawn(client_.get_executor(), connect_then_pump(shared_from_this()), asio::detached);
}

awaitable<void> ProxyConnection::connect_then_pump(std::shared_ptr<ProxyConnection> self) {
  self->connect_timer_.expires_after(kConnectTimeout);
  self->connect_timer_.async_wait([weak = std::weak_ptr(self)](const boost::system::error_code& ec) {
    auto connection = weak.lock();
    if (ec || !connection || connection->closed_) return;
    spdlog::debug("faultproxy: connecting to the target timed out");
    connection->close(true);
    connection->faults_.count_failed_connect();
  });
  auto [ec, endpoint] = co_await asio::async_connect(self->server_, self->target_, kNoThrow);
  self->connect_timer_.cancel();
  if (self->closed_) co_return;
  if (ec) {
    spdlog::debug("faultproxy: cannot connect to target: {}", ec.message());
    self->close(true);
    self->faults_.count_failed_connect();
    co_return;
  }
  boost::system::error_code ignored;
  self->client_.set_option(tcp::no_delay(true), ignored);
  self->server_.set_option(tcp::no_delay(true), ignored);
  self->loops_running_ = kLoopsPerConnection;
  const auto executor = self->client_.get_executor();
  asio::co_spawn(executor, run_reader(self, self->up_), asio::detached);
  asio::co_spawn(executor, run_writer(self, self->up_), asio::detached);
  asio::co_spawn(executor, run_reader(self, self->down_), asio::detached);
  asio::co_spawn(executor, run_writer(self, self->down_), asio::detached);
}

awaitable<void> ProxyConnection::run_reader(std::shared_ptr<ProxyConnection> self, Pump& pump) {
  const bool clean = co_await pump.read_loop();
  self->loop_ended(clean);
}

awaitable<void> ProxyConnection::run_writer(std::shared_ptr<ProxyConnection> self, Pump& pump) {
  const bool clean = co_await pump.write_loop();
  self->loop_ended(clean);
}

void ProxyConnection::loop_ended(bool clean) {
  --loops_running_;
  if (!clean) {
    close(true);
  } else if (loops_running_ == 0) {
    close(false);
  }
}

void ProxyConnection::abort() {
  close(true);
}

void ProxyConnection::close(bool with_reset) {
  if (closed_) return;
  closed_ = true;
  connect_timer_.cancel();
  up_.stop();
  down_.stop();
  close_socket(client_, with_reset);
  close_socket(server_, with_reset);
  faults_.count_closed();
}

}  // namespace millrace::faultproxy
