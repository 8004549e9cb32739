#include "millrace/broker/connection.h"

#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>

#include "millrace.pb.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

namespace {
constexpr size_t kReadBufferInitialBytes = 64 * 1024;
constexpr size_t kReadBufferKeepBytes = 1024 * 1024;  // shrink back after a large frame
}  // namespace

using boost::asio::ip::tcp;

Connection::Connection(tcp::socket socket, const BrokerConfig& config, RequestHandler& handler)
    : socket_(std::move(socket)),
      config_(config),
      handler_(handler),
      read_buffer_(kReadBufferInitialBytes),
      writer_(socket_) {
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  const auto endpoint = socket_.remote_endpoint(ec);
  peer_ = ec ? std::string("unknown peer")
             : endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}

void Connection::start() {
  read_more();
}

void Connection::stop_reading() {
  read_stopped_ = true;
  if (idle())
    close();
  else
    close_after_writes_ = true;
}

void Connection::close() {
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void Connection::read_more() {
  if (reading_ || read_stopped_ || !socket_.is_open()) return;
  if (slots_.size() >= static_cast<size_t>(config_.max_in_flight_requests_per_connection)) return;
  if (read_end_ == read_buffer_.size()) read_buffer_.resize(read_buffer_.size() * 2);
  reading_ = true;
  socket_.async_read_some(
      boost::asio::buffer(read_buffer_.data() + read_end_, read_buffer_.size() - read_end_),
      [self = shared_from_this()](const boost::system::error_code& ec, size_t n) { self->on_read(ec, n); });
}

void Connection::on_read(const boost::system::error_code& ec, size_t bytes) {
  reading_ = false;
  if (ec) {
    // The peer went away; pending responses have nowhere to go.
    close();
    return;
  }
  read_end_ += bytes;
  resume();
}

void Connection::resume() {
  // Not re-entrant: a handler that responds synchronously must not parse (or move) the buffer under the
  // payload view it is still using. The outer process_frames() loop carries on by itself.
  if (processing_ || read_stopped_ || !socket_.is_open()) return;
  process_frames();
  compact_read_buffer();
  read_more();
}

void Connection::process_frames() {
  processing_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{processing_};
  while (!read_stopped_ &&
         slots_.size() < static_cast<size_t>(config_.max_in_flight_requests_per_connection)) {
    const ByteView unparsed(read_buffer_.data() + read_begin_, read_end_ - read_begin_);
    protocol::FrameParseResult parsed = protocol::parse_frame(unparsed, config_.max_frame_bytes);
    if (parsed.status == protocol::ParseStatus::error) {
      fail_framing(parsed.error);
      return;
    }
    if (parsed.status == protocol::ParseStatus::need_more) {
      if (parsed.bytes_needed > read_buffer_.size() - read_begin_) {
        compact_read_buffer();
        if (parsed.bytes_needed > read_buffer_.size()) read_buffer_.resize(parsed.bytes_needed);
      }
      return;
    }
    const protocol::FrameView& frame = parsed.frame;
    const size_t payload_at = static_cast<size_t>(frame.payload.data() - read_buffer_.data());
    MutableByteView payload(read_buffer_.data() + payload_at, frame.payload.size());
    read_begin_ += frame.header.total_bytes();

    const uint64_t sequence = first_slot_sequence_ + slots_.size();
    slots_.emplace_back();
    // The pending response keeps the connection alive: under back-pressure there may be no read or
    // write in progress to do so.
    handler_.handle(frame, payload, [self = shared_from_this(), sequence](ResponseFrame response) {
      self->complete(sequence, std::move(response));
    });
  }
}

void Connection::fail_framing(const std::string& reason) {
  spdlog::warn("closing connection from {}: {}", peer_, reason);
  read_stopped_ = true;
  close_after_writes_ = true;
  wire::ErrorResponse body;
  body.set_error_code(static_cast<int32_t>(protocol::errc::invalid_request));
  body.set_error_message(reason);
  Buffer bytes;
  protocol::append_frame(bytes, protocol::ApiKey::error, 0, body);
  slots_.push_back(Slot{true, ResponseFrame(std::move(bytes))});
  write_ready();
}

void Connection::complete(uint64_t sequence, ResponseFrame frame) {
  if (sequence < first_slot_sequence_) return;
  const size_t index = static_cast<size_t>(sequence - first_slot_sequence_);
  if (index >= slots_.size()) return;
  slots_[index].ready = true;
  slots_[index].frame = std::move(frame);
  write_ready();
}

void Connection::write_ready() {
  if (writing_ || !socket_.is_open()) return;
  std::vector<ResponseFrame> frames;
  while (!slots_.empty() && slots_.front().ready) {
    if (!slots_.front().frame.empty()) frames.push_back(std::move(slots_.front().frame));
    slots_.pop_front();
    ++first_slot_sequence_;
  }
  if (frames.empty()) {
    if (close_after_writes_ && slots_.empty()) {
      close();
      return;
    }
    resume();  // slots freed: frames already buffered, then the socket, may be read again
    return;
  }
  writing_ = true;
  writer_.write(std::move(frames), [self = shared_from_this()](const boost::system::error_code& ec) {
    self->writing_ = false;
    if (ec) {
      self->close();
      return;
    }
    self->write_ready();
  });
  resume();
}

void Connection::compact_read_buffer() {
  if (read_begin_ == read_end_) {
    read_begin_ = read_end_ = 0;
    if (read_buffer_.size() > kReadBufferKeepBytes) {
      read_buffer_.resize(kReadBufferInitialBytes);
      read_buffer_.shrink_to_fit();
    }
    return;
  }
  if (read_begin_ == 0) return;
  std::copy(read_buffer_.begin() + static_cast<ptrdiff_t>(read_begin_),
            read_buffer_.begin() + static_cast<ptrdiff_t>(read_end_), read_buffer_.begin());
  read_end_ -= read_begin_;
  read_begin_ = 0;
}

}  // namespace millrace::broker
