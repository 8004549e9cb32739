#include "broker_connection.h"

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <tuple>
#include <vector>

#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/transfer_whole.h"

namespace millrace::client::internal {

namespace asio = boost::asio;
using asio::ip::tcp;
using protocol::ApiKey;

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// While a large frame arrives, the socket reports itself readable only once this much of it (or all that is
// left of it) is queued (SO_RCVLOWAT): each wake-up then moves a megabyte instead of one loopback segment
// (64 KiB), about 16 times fewer recv and epoll_wait calls on the consumer's I/O thread. The frame's last
// bytes lower the mark to what is left, and it goes back to 1 byte after the frame, so no read ever waits for
// bytes that are not coming (the kernel also reports readable at EOF or an error whatever the mark).
constexpr size_t kLargeFrameLowWater = 1 << 20;
// How often request deadlines are checked. Timeouts fire at most this late.
constexpr auto kDeadlineCheckInterval = std::chrono::milliseconds(50);
// The receive buffer. Frames up to this size are copied out of it; larger ones are read into their own.
constexpr size_t kReceiveBufferBytes = 64 * 1024;
// Spent buffers of large frames a connection keeps for the next ones: enough for a consumer's response being
// read while the last one is still handed out. Any frame the connection accepts (max_frame_bytes, with the
// eighth of room a new buffer gets) may be kept: a consumer's responses grow with its partitions (1 MiB each
// by default, up to fetch_max_bytes), and one larger than the kept buffers would be read into fresh memory
// that the kernel maps and zeroes page by page, every time (at 32 MiB responses that halved consume).
constexpr size_t kSpareFrameBuffers = 2;
size_t max_spare_frame_bytes(const ConnectionConfig& config) {
  return size_t{config.max_frame_bytes} + config.max_frame_bytes / 8;
}

std::string api_name(ApiKey key) {
  return "api " + std::to_string(static_cast<unsigned>(key));
}

}  // namespace

// One TCP connection (attempt). A new Session replaces it after every failure; coroutines of an old
// session notice they are stale (session != session_) and stop without touching shared state.
struct BrokerConnection::Session {
  explicit Session(asio::io_context& io)
      : socket(io), resolver(io), wake(io), connect_timer(io), deadline_timer(io) {}
  tcp::socket socket;
  tcp::resolver resolver;
  asio::steady_timer wake;  // the writer sleeps on it while the outbox is empty
  asio::steady_timer connect_timer;
  asio::steady_timer deadline_timer;
  bool connected = false;
  bool connect_timed_out = false;
  bool deadline_timer_idle = false;  // nothing to time out: the deadline loop sleeps until send() wakes it

  void shut() {
    boost::system::error_code ignored;
    resolver.cancel();
    socket.close(ignored);
    wake.cancel();
    connect_timer.cancel();
    deadline_timer.cancel();
  }
};

BrokerConnection::BrokerConnection(asio::io_context& io, BrokerAddress address,
                                   const ConnectionConfig& config)
    : io_(io),
      address_(std::move(address)),
      config_(config),
      spare_frames_(std::make_shared<SpareFrameBuffers>(kSpareFrameBuffers, kReceiveBufferBytes,
                                                        max_spare_frame_bytes(config))) {}

BrokerConnection::~BrokerConnection() {
  if (session_) session_->shut();
}

bool BrokerConnection::connected() const {
  return session_ && session_->connected;
}

bool BrokerConnection::in_backoff(Clock::time_point now) const {
  return now < last_failure_ + std::chrono::milliseconds(config_.reconnect_backoff_ms);
}

Error BrokerConnection::network_error(const std::string& what) const {
  return make_error(protocol::errc::network_exception, "broker " + address_.to_string() + ": " + what);
}

void BrokerConnection::send(OutboundRequest request) {
  const auto deadline = Clock::now() + request.timeout;
  outbox_.push_back(Queued{next_correlation_id_++, std::move(request), deadline});
  if (!session_) {
    start_session();
    return;
  }
  if (session_->deadline_timer_idle) session_->deadline_timer.cancel();
  if (session_->connected) session_->wake.cancel();
}

void BrokerConnection::close(const Error& reason) {
  if (session_) {
    fail_session(session_, reason);
    return;
  }
  auto queued = std::move(outbox_);
  outbox_.clear();
  for (auto& q : queued) q.request.on_done(reason);
}

void BrokerConnection::start_session() {
  session_ = std::make_shared<Session>(io_);
  const auto now = Clock::now();
  const auto retry_at = last_failure_ + std::chrono::milliseconds(config_.reconnect_backoff_ms);
  const Clock::duration delay = retry_at > now ? retry_at - now : Clock::duration::zero();
  asio::co_spawn(io_, run_session(session_, delay), asio::detached);
  asio::co_spawn(io_, deadline_loop(session_), asio::detached);
}

asio::awaitable<void> BrokerConnection::run_session(std::shared_ptr<Session> session, Clock::duration delay) {
  auto self = shared_from_this();
  if (delay > Clock::duration::zero()) {
    session->wake.expires_after(delay);
    co_await session->wake.async_wait(kAsTuple);
    if (session != session_) co_return;
  }
  session->connect_timer.expires_after(std::chrono::milliseconds(config_.connect_timeout_ms));
  session->connect_timer.async_wait([weak = std::weak_ptr<Session>(session)](boost::system::error_code ec) {
    auto s = weak.lock();
    if (ec || !s || s->connected) return;
    s->connect_timed_out = true;
    boost::system::error_code ignored;
    s->resolver.cancel();
    s->socket.close(ignored);
  });
  auto [resolve_ec, endpoints] =
      co_await session->resolver.async_resolve(address_.host, std::to_string(address_.port), kAsTuple);
  if (session != session_) co_return;
  if (!resolve_ec) {
    auto [connect_ec, endpoint] = co_await asio::async_connect(session->socket, endpoints, kAsTuple);
    if (session != session_) co_return;
    resolve_ec = connect_ec;
  }
  if (resolve_ec || session->connect_timed_out) {
    const std::string what =
        session->connect_timed_out
            ? "connect timed out after " + std::to_string(config_.connect_timeout_ms) + " ms"
            : "connect failed: " + resolve_ec.message();
    fail_session(session, network_error(what));
    co_return;
  }
  session->connect_timer.cancel();
  boost::system::error_code ignored;
  session->socket.set_option(tcp::no_delay(true), ignored);
  session->connected = true;
  asio::co_spawn(io_, read_loop(session), asio::detached);
  co_await write_loop(session);
}

asio::awaitable<void> BrokerConnection::write_loop(std::shared_ptr<Session> session) {
  auto self = shared_from_this();
  while (session == session_) {
    if (outbox_.empty()) {
      session->wake.expires_at(Clock::time_point::max());
      co_await session->wake.async_wait(kAsTuple);
      continue;
    }
    std::deque<Queued> batch = std::move(outbox_);
    outbox_.clear();
    std::vector<std::array<char, protocol::frame_format::kHeaderBytes>> headers(batch.size());
    std::vector<asio::const_buffer> buffers;
    buffers.reserve(batch.size() * 3);
    for (size_t i = 0; i < batch.size(); ++i) {
      const OutboundRequest& r = batch[i].request;
      protocol::write_frame_header(headers[i].data(), r.api_key, batch[i].correlation_id,
                                   static_cast<uint32_t>(r.body.size()), r.payload_bytes());
      buffers.emplace_back(headers[i].data(), headers[i].size());
      if (!r.body.empty()) buffers.emplace_back(r.body.data(), r.body.size());
      if (!r.payload.empty()) buffers.emplace_back(r.payload.data(), r.payload.size());
      for (const ByteView part : r.payload_parts) {
        if (!part.empty()) buffers.emplace_back(part.data(), part.size());
      }
    }
    for (auto& q : batch) {
      if (!q.request.expects_response) continue;
      in_flight_.push_back(InFlight{q.correlation_id, q.request.api_key, q.request.timeout, q.deadline,
                                    std::move(q.request.on_done)});
    }
    auto [ec, written] =
        co_await asio::async_write(session->socket, buffers, protocol::TransferWhole{}, kAsTuple);
    (void)written;
    const bool failed = ec || session != session_;
    const Error error =
        network_error(ec ? "write failed: " + ec.message() : "connection closed during write");
    if (ec && session == session_) fail_session(session, error);
    for (auto& q : batch) {  // requests without a response are done once written
      if (q.request.expects_response) continue;
      if (failed) {
        q.request.on_done(error);
      } else {
        q.request.on_done(ResponseFrame{});
      }
    }
    if (failed) co_return;
  }
}

// One fixed-size receive buffer serves the whole session and is never zero-filled. A frame that fits in it is
// copied out whole (one exact-size allocation); a larger one gets its own buffer (a spent one if the
// connection kept one large enough), which the bytes already received are copied to and the rest of the
// frame is read straight into.
asio::awaitable<void> BrokerConnection::read_loop(std::shared_ptr<Session> session) {
  auto self = shared_from_this();
  FrameBuffer buffer(kReceiveBufferBytes);
  size_t filled = 0;
  while (session == session_) {
    auto [ec, n] = co_await session->socket.async_read_some(
        asio::buffer(buffer.data() + filled, buffer.size() - filled), kAsTuple);
    if (session != session_) co_return;
    if (ec) {
      fail_session(session, read_error(ec));
      co_return;
    }
    filled += n;
    size_t consumed = 0;
    while (session == session_ && consumed < filled) {
      const auto parsed = protocol::parse_frame(ByteView(buffer.data() + consumed, filled - consumed),
                                                config_.max_frame_bytes);
      if (parsed.status == protocol::ParseStatus::error) {
        fail_session(session,
                     make_error(errc::bad_response, "broker " + address_.to_string() + ": " + parsed.error));
        co_return;
      }
      if (parsed.status == protocol::ParseStatus::need_more) {
        if (parsed.bytes_needed > buffer.size()) {
          const bool read = co_await read_large_frame(
              session, ByteView(buffer.data() + consumed, filled - consumed), parsed.bytes_needed);
          if (!read) co_return;
          consumed = filled;
        }
        break;
      }
      ResponseFrame frame;
      frame.header = parsed.frame.header;
      const size_t total = frame.header.total_bytes();
      frame.bytes.assign(buffer.begin() + static_cast<ptrdiff_t>(consumed),
                         buffer.begin() + static_cast<ptrdiff_t>(consumed + total));
      consumed += total;
      if (!deliver(session, std::move(frame))) co_return;
    }
    if (consumed > 0) {
      std::memmove(buffer.data(), buffer.data() + consumed, filled - consumed);
      filled -= consumed;
    }
  }
}

asio::awaitable<bool> BrokerConnection::read_large_frame(std::shared_ptr<Session> session, ByteView received,
                                                         size_t total_bytes) {
  ResponseFrame frame;
  frame.bytes = spare_frames_->take(total_bytes);
  // A new buffer gets an eighth more room, so that it can serve the next, slightly larger, frames too.
  if (frame.bytes.capacity() < total_bytes) frame.bytes.reserve(total_bytes + total_bytes / 8);
  frame.bytes.resize(total_bytes);  // not zeroed: every byte is about to be overwritten
  frame.spares = spare_frames_;
  std::memcpy(frame.bytes.data(), received.data(), received.size());
  size_t done = received.size();
  int low_water = 1;
  const auto set_low_water = [&](size_t bytes) {
    const int want = static_cast<int>(std::min(bytes, kLargeFrameLowWater));
    if (want == low_water) return;
    boost::system::error_code ignored;
    session->socket.set_option(asio::socket_base::receive_low_watermark(want), ignored);
    low_water = want;
  };
  boost::system::error_code ec;
  while (done < total_bytes && !ec) {
    set_low_water(total_bytes - done);
    size_t n = 0;
    std::tie(ec, n) = co_await session->socket.async_read_some(
        asio::buffer(frame.bytes.data() + done, total_bytes - done), kAsTuple);
    done += n;
  }
  if (session != session_) co_return false;
  set_low_water(1);
  if (ec) {
    fail_session(session, read_error(ec));
    co_return false;
  }
  const auto parsed = protocol::parse_frame(ByteView(frame.bytes), config_.max_frame_bytes);
  if (parsed.status != protocol::ParseStatus::complete) {  // cannot happen: the same header, now complete
    fail_session(session, make_error(errc::bad_response, "broker " + address_.to_string() +
                                                             ": malformed frame: " + parsed.error));
    co_return false;
  }
  frame.header = parsed.frame.header;
  co_return deliver(session, std::move(frame));
}

Error BrokerConnection::read_error(const boost::system::error_code& ec) const {
  const bool eof = ec == asio::error::eof || ec == asio::error::connection_reset;
  return network_error(eof ? "connection closed by the broker" : "read failed: " + ec.message());
}

bool BrokerConnection::deliver(const std::shared_ptr<Session>& session, ResponseFrame frame) {
  const auto& h = frame.header;
  if (in_flight_.empty() || in_flight_.front().correlation_id != h.correlation_id) {
    const std::string expected =
        in_flight_.empty() ? "none outstanding" : std::to_string(in_flight_.front().correlation_id);
    // A response went missing (or came twice): the stream has lost its place. As after a disconnect, every
    // request on it fails with NETWORK_EXCEPTION, which producers retry (idempotence makes that safe).
    fail_session(session, network_error("response correlation id " + std::to_string(h.correlation_id) +
                                        ", expected " + expected + "; reconnecting"));
    return false;
  }
  if (h.api_key != static_cast<uint16_t>(in_flight_.front().api_key) &&
      h.api_key != static_cast<uint16_t>(ApiKey::error)) {
    fail_session(session,
                 make_error(errc::bad_response, "broker " + address_.to_string() + ": response api key " +
                                                    std::to_string(h.api_key) + " does not match " +
                                                    api_name(in_flight_.front().api_key)));
    return false;
  }
  ResponseHandler handler = std::move(in_flight_.front().on_done);
  in_flight_.pop_front();
  handler(std::move(frame));
  return true;
}

asio::awaitable<void> BrokerConnection::deadline_loop(std::shared_ptr<Session> session) {
  auto self = shared_from_this();
  while (session == session_) {
    session->deadline_timer_idle = in_flight_.empty() && outbox_.empty();
    if (session->deadline_timer_idle) {
      session->deadline_timer.expires_at(Clock::time_point::max());
    } else {
      session->deadline_timer.expires_after(kDeadlineCheckInterval);
    }
    co_await session->deadline_timer.async_wait(kAsTuple);
    if (session != session_) co_return;
    session->deadline_timer_idle = false;
    const auto now = Clock::now();
    auto late = std::find_if(in_flight_.begin(), in_flight_.end(),
                             [&](const InFlight& f) { return f.deadline <= now; });
    if (late != in_flight_.end()) {
      fail_session(session, make_error(protocol::errc::request_timed_out,
                                       "broker " + address_.to_string() + ": no response to " +
                                           api_name(late->api_key) + " within " +
                                           std::to_string(late->timeout.count()) + " ms; connection closed"));
      co_return;
    }
    if (!session->connected) expire_queued(now);
  }
}

void BrokerConnection::expire_queued(Clock::time_point now) {
  std::deque<Queued> expired;
  for (auto it = outbox_.begin(); it != outbox_.end();) {
    if (it->deadline <= now) {
      expired.push_back(std::move(*it));
      it = outbox_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& q : expired) {
    q.request.on_done(make_error(protocol::errc::request_timed_out,
                                 "broker " + address_.to_string() + ": not connected within " +
                                     std::to_string(q.request.timeout.count()) + " ms"));
  }
}

void BrokerConnection::fail_session(const std::shared_ptr<Session>& failed, const Error& reason) {
  if (failed != session_) return;
  const std::shared_ptr<Session> session = std::move(session_);  // `failed` may refer to session_ itself
  session_.reset();
  session->shut();
  last_failure_ = Clock::now();
  auto in_flight = std::move(in_flight_);
  auto queued = std::move(outbox_);
  in_flight_.clear();
  outbox_.clear();
  // Handlers may send again (starting a new session); state is already reset for that.
  for (auto& f : in_flight) f.on_done(reason);
  for (auto& q : queued) q.request.on_done(reason);
}

}  // namespace millrace::client::internal
