#pragma once
// ControlServer: the control port. A client sends one command per line ("\n"-terminated); each line goes to
// the `execute` callback and its answer ("ok ..." or "error ...") comes back followed by "\n". Sessions last
// until the client closes. A line longer than kControlLineBytesMax gets "error line too long" and the session
// is closed; more than kControlSessionsMax sessions at once are closed at accept.
//
// Thread-safety: event-loop thread only (listen() may run before the loop does); `execute` is called on the
// loop thread. Ownership: owns its acceptor; sessions are coroutines that own their sockets.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "asio_types.h"
#include "millrace/protocol/result.h"

namespace millrace::faultproxy {

class ControlServer {
 public:
  using Execute = std::function<std::string(std::string_view line)>;

  ControlServer(asio::io_context& io, Execute execute);

  Status listen(const tcp::endpoint& endpoint);
  uint16_t port() const;
  void start_accepting();
  // Stops accepting and closes every session.
  void stop();

 private:
  awaitable<void> accept_loop();
  awaitable<void> session(std::shared_ptr<tcp::socket> socket);
  void prune();

  asio::io_context& io_;
  Execute execute_;
  tcp::acceptor acceptor_;
  std::vector<std::weak_ptr<tcp::socket>> sessions_;
  bool stopped_ = false;
};

}  // namespace millrace::faultproxy
