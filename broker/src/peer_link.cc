#include "peer_link.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include "millrace/protocol/transfer_whole.h"

namespace millrace::broker {

using boost::asio::ip::tcp;

namespace {
constexpr int kInitialBackoffMs = 50;
constexpr int kMaxBackoffMs = 1000;
constexpr size_t kDiscardBufferBytes = 4096;
}  // namespace

PeerLink::PeerLink(boost::asio::io_context& io, HostPort address, size_t max_queued_bytes)
    : io_(io),
      address_(std::move(address)),
      max_queued_bytes_(max_queued_bytes),
      resolver_(io),
      socket_(io),
      retry_timer_(io),
      discard_buffer_(kDiscardBufferBytes) {}

void PeerLink::send(Buffer frame) {
  if (stopped_) return;
  if (queued_bytes_ + frame.size() > max_queued_bytes_) return;  // Raft resends what it needs
  queued_bytes_ += frame.size();
  queue_.push_back(std::move(frame));
  if (state_ == State::idle) connect();
  if (state_ == State::connected) write_next();
}

void PeerLink::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  resolver_.cancel();
  retry_timer_.cancel();
  socket_.close(ignored);
  queue_.clear();
  queued_bytes_ = 0;
}

void PeerLink::connect() {
  state_ = State::connecting;
  const uint64_t gen = ++generation_;
  resolver_.async_resolve(address_.host, std::to_string(address_.port),
                          [self = shared_from_this(), gen](const boost::system::error_code& ec,
                                                           tcp::resolver::results_type results) {
                            if (self->stopped_ || gen != self->generation_) return;
                            if (ec) return self->fail("resolve", ec);
                            boost::asio::async_connect(
                                self->socket_, results,
                                [self, gen](const boost::system::error_code& ec2, const tcp::endpoint&) {
                                  if (self->stopped_ || gen != self->generation_) return;
                                  self->on_connected(ec2);
                                });
                          });
}

void PeerLink::on_connected(const boost::system::error_code& ec) {
  if (ec) return fail("connect", ec);
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  state_ = State::connected;
  backoff_ms_ = 0;
  read_and_discard();
  write_next();
}

void PeerLink::write_next() {
  if (writing_ || queue_.empty() || state_ != State::connected) return;
  writing_ = true;
  const uint64_t gen = generation_;
  boost::asio::async_write(socket_, boost::asio::buffer(queue_.front()), protocol::TransferWhole{},
                           [self = shared_from_this(), gen](const boost::system::error_code& ec, size_t) {
                             self->writing_ = false;
                             if (self->stopped_ || gen != self->generation_) return;
                             if (ec) return self->fail("write", ec);
                             self->queued_bytes_ -= self->queue_.front().size();
                             self->queue_.pop_front();
                             self->write_next();
                           });
}

void PeerLink::read_and_discard() {
  const uint64_t gen = generation_;
  socket_.async_read_some(boost::asio::buffer(discard_buffer_),
                          [self = shared_from_this(), gen](const boost::system::error_code& ec, size_t) {
                            if (self->stopped_ || gen != self->generation_) return;
                            if (ec) return self->fail("read", ec);
                            self->read_and_discard();
                          });
}

void PeerLink::fail(const std::string& what, const boost::system::error_code& ec) {
  spdlog::debug("peer {}: {} failed: {}", address_.to_string(), what, ec.message());
  ++generation_;
  boost::system::error_code ignored;
  socket_.close(ignored);
  // A frame half-written is lost with the connection; the peer discards the partial frame.
  state_ = State::waiting;
  backoff_ms_ = std::min(kMaxBackoffMs, backoff_ms_ == 0 ? kInitialBackoffMs : backoff_ms_ * 2);
  retry_timer_.expires_after(std::chrono::milliseconds(backoff_ms_));
  retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec2) {
    if (ec2 || self->stopped_) return;
    self->state_ = State::idle;
    if (!self->queue_.empty()) self->connect();
  });
}

}  // namespace millrace::broker
