#include "millrace/broker/controller_channel.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include "cluster.pb.h"
#include "millrace/broker/controller.h"
#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/frame.h"
#include "millrace/protocol/transfer_whole.h"

namespace millrace::broker {

using boost::asio::ip::tcp;
using protocol::errc;

namespace {
constexpr int kInitialBackoffMs = 50;
constexpr int kMaxBackoffMs = 1000;
}  // namespace

ControllerChannel::ControllerChannel(boost::asio::io_context& io, const BrokerConfig& config,
                                     Controller& controller, RequestHandler& local)
    : io_(io),
      config_(config),
      controller_(controller),
      local_(local),
      resolver_(io),
      socket_(io),
      attempt_timer_(io),
      backoff_timer_(io) {}

void ControllerChannel::send(protocol::ApiKey key, const google::protobuf::MessageLite& body,
                             std::chrono::milliseconds timeout, Done done) {
  if (stopped_ || queue_.size() >= kControllerChannelMaxQueued) {
    Error error = stopped_
                      ? make_error(errc::request_timed_out, "the broker is shutting down")
                      : make_error(errc::request_timed_out, "too many requests queued for the controller");
    boost::asio::post(io_, [done = std::move(done), error = std::move(error)] { done(error); });
    return;
  }
  queue_.push_back(
      Request{key, body.SerializeAsString(), std::chrono::steady_clock::now() + timeout, std::move(done)});
  pump();
}

void ControllerChannel::stop() {
  if (stopped_) return;
  stopped_ = true;
  ++attempt_;
  attempt_timer_.cancel();
  backoff_timer_.cancel();
  close_connection();
  std::deque<Request> failed = std::move(queue_);
  queue_.clear();
  for (auto& r : failed) r.done(make_error(errc::request_timed_out, "the broker is shutting down"));
}

void ControllerChannel::pump() {
  while (!busy_ && !stopped_ && !queue_.empty()) {
    if (std::chrono::steady_clock::now() >= queue_.front().deadline) {
      finish(make_error(errc::request_timed_out, "no controller leader answered in time"));
      continue;
    }
    busy_ = true;
    const auto target = pick_target();
    if (!target) return retry_later();
    if (*target == config_.node_id) return send_local();
    return send_remote(*target);
  }
}

std::optional<int32_t> ControllerChannel::pick_target() {
  if (hint_ >= 0) return std::exchange(hint_, -1);
  if (auto leader = controller_.leader()) return leader->value;
  // No leader known (an election, or this broker is not a member yet): ask the voters in turn.
  if (config_.peers.empty()) return std::nullopt;
  return config_.peers[next_candidate_++ % config_.peers.size()].node_id;
}

std::optional<HostPort> ControllerChannel::address_of(int32_t node) const {
  for (const auto& p : config_.peers) {
    if (p.node_id == node) return p.address;
  }
  if (const BrokerRecord* b = controller_.brokers().find(node)) return b->address;
  return std::nullopt;
}

Buffer ControllerChannel::encode_front() {
  const Request& r = queue_.front();
  Buffer frame(protocol::frame_format::kHeaderBytes + r.body.size());
  protocol::write_frame_header(reinterpret_cast<char*>(frame.data()), r.key, ++correlation_id_,
                               static_cast<uint32_t>(r.body.size()), 0);
  std::copy(r.body.begin(), r.body.end(), frame.begin() + protocol::frame_format::kHeaderBytes);
  return frame;
}

void ControllerChannel::send_local() {
  if (!controller_.is_leader()) return retry_later();
  const uint64_t attempt = ++attempt_;
  auto frame = std::make_shared<Buffer>(encode_front());
  const auto parsed = protocol::parse_frame(ByteView(frame->data(), frame->size()), config_.max_frame_bytes);
  local_.handle(parsed.frame, MutableByteView{},
                [self = shared_from_this(), attempt, frame](ResponseFrame answer) {
                  // Controller requests are answered from memory: a frame never carries file ranges.
                  boost::asio::post(self->io_, [self, attempt, response = std::move(answer.bytes)]() mutable {
                    self->on_response(attempt, std::move(response));
                  });
                });
}

void ControllerChannel::send_remote(int32_t node) {
  const auto address = address_of(node);
  if (!address) return retry_later();
  const uint64_t attempt = ++attempt_;
  attempt_timer_.expires_after(std::min<std::chrono::steady_clock::duration>(
      kControllerAttemptTimeout, queue_.front().deadline - std::chrono::steady_clock::now()));
  attempt_timer_.async_wait([self = shared_from_this(), attempt](const boost::system::error_code& ec) {
    if (ec || self->stopped_ || attempt != self->attempt_) return;
    spdlog::debug("controller channel: no answer in time");
    self->close_connection();
    self->retry_later();
  });
  if (connected_node_ == node && socket_.is_open()) return write_front(attempt);
  close_connection();
  resolver_.async_resolve(
      address->host, std::to_string(address->port),
      [self = shared_from_this(), attempt, node](const boost::system::error_code& ec,
                                                 tcp::resolver::results_type results) {
        if (self->stopped_ || attempt != self->attempt_) return;
        if (ec) return self->retry_later();
        boost::asio::async_connect(
            self->socket_, results,
            [self, attempt, node](const boost::system::error_code& ec2, const tcp::endpoint&) {
              if (self->stopped_ || attempt != self->attempt_) return;
              if (ec2) {
                self->close_connection();
                return self->retry_later();
              }
              boost::system::error_code ignored;
              self->socket_.set_option(tcp::no_delay(true), ignored);
              self->connected_node_ = node;
              self->write_front(attempt);
            });
      });
}

void ControllerChannel::write_front(uint64_t attempt) {
  auto frame = std::make_shared<Buffer>(encode_front());
  boost::asio::async_write(
      socket_, boost::asio::buffer(*frame), protocol::TransferWhole{},
      [self = shared_from_this(), attempt, frame](const boost::system::error_code& ec, size_t) {
        if (self->stopped_ || attempt != self->attempt_) return;
        if (ec) {
          self->close_connection();
          return self->retry_later();
        }
        self->read_response(attempt);
      });
}

void ControllerChannel::read_response(uint64_t attempt) {
  read_buffer_.assign(protocol::frame_format::kLengthPrefixBytes, 0);
  boost::asio::async_read(
      socket_, boost::asio::buffer(read_buffer_),
      [self = shared_from_this(), attempt](const boost::system::error_code& ec, size_t) {
        if (self->stopped_ || attempt != self->attempt_) return;
        const uint32_t length = ec ? 0 : protocol::load_be<uint32_t>(self->read_buffer_.data());
        if (ec || length < protocol::frame_format::kFrameFixedBytes ||
            length > self->config_.max_frame_bytes) {
          self->close_connection();
          return self->retry_later();
        }
        self->read_buffer_.resize(protocol::frame_format::kLengthPrefixBytes + length);
        boost::asio::async_read(
            self->socket_,
            boost::asio::buffer(self->read_buffer_.data() + protocol::frame_format::kLengthPrefixBytes,
                                length),
            [self, attempt](const boost::system::error_code& ec2, size_t) {
              if (self->stopped_ || attempt != self->attempt_) return;
              if (ec2) {
                self->close_connection();
                return self->retry_later();
              }
              self->on_response(attempt, std::move(self->read_buffer_));
            });
      });
}

void ControllerChannel::on_response(uint64_t attempt, Buffer frame) {
  if (stopped_ || attempt != attempt_ || !busy_ || queue_.empty()) return;
  attempt_timer_.cancel();
  const auto parsed = protocol::parse_frame(ByteView(frame.data(), frame.size()), config_.max_frame_bytes);
  if (parsed.status != protocol::ParseStatus::complete ||
      parsed.frame.header.api_key != static_cast<uint16_t>(queue_.front().key)) {
    spdlog::debug("controller channel: the controller answered with an error frame");
    return retry_later();
  }
  const ByteView body = parsed.frame.body;
  wire::ControllerResponseStatus status;
  if (!status.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    close_connection();
    return retry_later();
  }
  if (status.error_code() == static_cast<int32_t>(errc::not_controller)) {
    if (status.controller_id() >= 0 && status.controller_id() != config_.node_id)
      hint_ = status.controller_id();
    return retry_later();
  }
  backoff_ms_ = 0;
  busy_ = false;
  finish(std::string(reinterpret_cast<const char*>(body.data()), body.size()));
  pump();
}

void ControllerChannel::retry_later() {
  ++attempt_;
  attempt_timer_.cancel();
  backoff_ms_ = std::min(kMaxBackoffMs, backoff_ms_ == 0 ? kInitialBackoffMs : backoff_ms_ * 2);
  backoff_timer_.expires_after(std::chrono::milliseconds(backoff_ms_));
  backoff_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->stopped_) return;
    self->busy_ = false;
    self->pump();
  });
}

void ControllerChannel::close_connection() {
  boost::system::error_code ignored;
  resolver_.cancel();
  socket_.close(ignored);
  connected_node_ = -1;
}

void ControllerChannel::finish(Result<std::string> result) {
  Request r = std::move(queue_.front());
  queue_.pop_front();
  r.done(std::move(result));
}

}  // namespace millrace::broker
