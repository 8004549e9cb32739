#pragma once
// Server: the native-protocol TCP listener. Accepts connections (up to max_connections) and tracks them so a
// shutdown can stop reading, let pending responses go out, and close them.
// Thread-safety: network thread only (listen() may run before the io_context does).
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/connection.h"
#include "millrace/broker/request_handler.h"
#include "millrace/protocol/result.h"

namespace millrace::broker {

class Server {
 public:
  Server(boost::asio::io_context& io, const BrokerConfig& config, RequestHandler& handler);

  // Binds the listen address. Errors (broker errc::listen_failed) name the address and the reason.
  Status listen();
  HostPort local_address() const;
  void start_accepting();

  void stop_accepting();
  void stop_reading_all();
  bool all_idle();
  void close_all();

 private:
  void accept_next();
  void prune();

  boost::asio::io_context& io_;
  const BrokerConfig& config_;
  RequestHandler& handler_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::weak_ptr<Connection>> connections_;
  bool accepting_ = false;
};

}  // namespace millrace::broker
