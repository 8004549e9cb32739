#pragma once
// Connection: one client TCP connection. Reads frames into a buffer, dispatches each to the RequestHandler,
// and writes responses strictly in request order (clients may pipeline). At most
// max_in_flight_requests_per_connection requests are pending; beyond that it stops reading (back-pressure).
// A framing error (oversized or malformed frame) gets an error response, then the connection closes.
// Responses go out through a ResponseWriter: bytes with gather writes, fetch records with sendfile(2).
//
// Thread-safety: network thread only. Lifetime: shared_ptr, kept alive by its pending I/O.
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/request_handler.h"
#include "millrace/broker/response_writer.h"

namespace millrace::broker {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, const BrokerConfig& config, RequestHandler& handler);

  void start();
  // Stops reading new requests; pending responses are still written. Then the connection closes.
  void stop_reading();
  // Closes the socket now.
  void close();
  bool idle() const { return slots_.empty() && !writing_; }
  bool is_open() const { return socket_.is_open(); }
  const ResponseWriter::Stats& write_stats() const { return writer_.stats(); }

 private:
  struct Slot {
    bool ready = false;
    ResponseFrame frame;  // empty when ready: no response
  };

  void read_more();
  void resume();
  void on_read(const boost::system::error_code& ec, size_t bytes);
  void process_frames();
  void fail_framing(const std::string& reason);
  void complete(uint64_t sequence, ResponseFrame frame);
  void write_ready();
  void compact_read_buffer();

  boost::asio::ip::tcp::socket socket_;
  const BrokerConfig& config_;
  RequestHandler& handler_;
  Buffer read_buffer_;
  size_t read_begin_ = 0;  // first unparsed byte
  size_t read_end_ = 0;    // end of received bytes
  std::string peer_;
  bool reading_ = false;
  bool processing_ = false;
  bool read_stopped_ = false;
  bool writing_ = false;
  bool close_after_writes_ = false;
  std::deque<Slot> slots_;
  uint64_t first_slot_sequence_ = 0;
  ResponseWriter writer_;
};

}  // namespace millrace::broker
