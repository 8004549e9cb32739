#include "millrace/broker/server.h"

#include <spdlog/spdlog.h>

#include "millrace/broker/errc.h"

namespace millrace::broker {

using boost::asio::ip::tcp;

Server::Server(boost::asio::io_context& io, const BrokerConfig& config, RequestHandler& handler)
    : io_(io), config_(config), handler_(handler), acceptor_(io) {}

Status Server::listen() {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(config_.listen.host, ec);
  if (ec) {
    return make_error(errc::listen_failed,
                      "listen address '" + config_.listen.host + "' is not an IP address");
  }
  const tcp::endpoint endpoint(address, config_.listen.port);
  auto fail = [&](const char* what) {
    return make_error(errc::listen_failed,
                      std::string(what) + " " + config_.listen.to_string() + ": " + ec.message());
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("cannot open socket for");
  if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec); ec) return fail("cannot set options on");
  if (acceptor_.bind(endpoint, ec); ec) return fail("cannot bind");
  if (acceptor_.listen(tcp::socket::max_listen_connections, ec); ec) return fail("cannot listen on");
  return {};
}

HostPort Server::local_address() const {
  boost::system::error_code ec;
  const auto endpoint = acceptor_.local_endpoint(ec);
  if (ec) return {};
  return {endpoint.address().to_string(), endpoint.port()};
}

void Server::start_accepting() {
  accepting_ = true;
  accept_next();
}

void Server::accept_next() {
  if (!accepting_) return;
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
    if (!accepting_) return;
    if (ec) {
      if (ec != boost::asio::error::operation_aborted) spdlog::warn("accept failed: {}", ec.message());
      accept_next();
      return;
    }
    prune();
    if (connections_.size() >= static_cast<size_t>(config_.max_connections)) {
      spdlog::warn("refusing connection: max_connections ({}) reached", config_.max_connections);
      boost::system::error_code ignored;
      socket.close(ignored);
    } else {
      auto connection = std::make_shared<Connection>(std::move(socket), config_, handler_);
      connections_.push_back(connection);
      connection->start();
    }
    accept_next();
  });
}

void Server::prune() {
  std::erase_if(connections_, [](const std::weak_ptr<Connection>& w) {
    auto c = w.lock();
    return !c || !c->is_open();
  });
}

void Server::stop_accepting() {
  accepting_ = false;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
}

void Server::stop_reading_all() {
  for (auto& w : connections_) {
    if (auto c = w.lock()) c->stop_reading();
  }
}

bool Server::all_idle() {
  prune();
  for (auto& w : connections_) {
    if (auto c = w.lock(); c && !c->idle()) return false;
  }
  return true;
}

void Server::close_all() {
  for (auto& w : connections_) {
    if (auto c = w.lock()) c->close();
  }
  connections_.clear();
}

}  // namespace millrace::broker
