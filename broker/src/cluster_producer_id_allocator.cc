#include "millrace/broker/cluster_producer_id_allocator.h"

#include <spdlog/spdlog.h>

#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::errc;

namespace {
constexpr int64_t kRefillFraction = 10;  // ask for the next block with a tenth of a block left
constexpr auto kRetryDelay = std::chrono::milliseconds(100);
}  // namespace

ClusterProducerIdAllocator::ClusterProducerIdAllocator(boost::asio::io_context& io, FetchBlock fetch,
                                                       std::chrono::milliseconds wait_timeout)
    : io_(io), fetch_(std::move(fetch)), wait_timeout_(wait_timeout), deadline_timer_(io), retry_timer_(io) {}

ClusterProducerIdAllocator::~ClusterProducerIdAllocator() {
  *alive_ = false;
}

void ClusterProducerIdAllocator::allocate(Allocated done) {
  if (stopped_) return done(make_error(errc::request_timed_out, "the broker is shutting down"));
  waiters_.push_back(Waiter{std::chrono::steady_clock::now() + wait_timeout_, std::move(done)});
  serve_waiters();
  maybe_fetch();
  arm_deadline();
}

void ClusterProducerIdAllocator::stop() {
  stopped_ = true;
  deadline_timer_.cancel();
  retry_timer_.cancel();
  std::deque<Waiter> failed = std::move(waiters_);
  waiters_.clear();
  for (auto& w : failed) w.done(make_error(errc::request_timed_out, "the broker is shutting down"));
}

void ClusterProducerIdAllocator::serve_waiters() {
  while (!waiters_.empty()) {
    if (next_id_ == block_end_ && spare_) {
      next_id_ = spare_->start;
      block_end_ = spare_->start + spare_->length;
      spare_.reset();
    }
    if (next_id_ == block_end_) return;
    Waiter w = std::move(waiters_.front());
    waiters_.pop_front();
    w.done(ProducerIdAndEpoch{next_id_++, 0});
  }
}

void ClusterProducerIdAllocator::maybe_fetch() {
  if (stopped_ || fetching_ || spare_) return;
  if (last_length_ > 0 && ids_left() > last_length_ / kRefillFraction && waiters_.empty()) return;
  fetching_ = true;
  fetch_([this, alive = alive_](Result<ProducerIdBlock> block) {
    if (!*alive) return;
    on_fetched(std::move(block));
  });
}

void ClusterProducerIdAllocator::on_fetched(Result<ProducerIdBlock> block) {
  fetching_ = false;
  if (stopped_) return;
  if (!block || block->length <= 0) {
    spdlog::warn("no producer id block from the controller: {}",
                 block ? std::string("empty block") : block.error().to_string());
    // Waiting requests time out on their own; ask again only while someone waits.
    if (waiters_.empty()) return;
    retry_timer_.expires_after(kRetryDelay);
    retry_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
      if (!ec && *alive) maybe_fetch();
    });
    return;
  }
  last_length_ = block->length;
  if (next_id_ == block_end_) {
    next_id_ = block->start;
    block_end_ = block->start + block->length;
  } else {
    spare_ = *block;
  }
  serve_waiters();
  maybe_fetch();
  arm_deadline();
}

void ClusterProducerIdAllocator::arm_deadline() {
  if (waiters_.empty()) return;
  deadline_timer_.expires_at(waiters_.front().deadline);
  deadline_timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
    if (ec || !*alive || stopped_) return;
    const auto now = std::chrono::steady_clock::now();
    while (!waiters_.empty() && waiters_.front().deadline <= now) {
      Waiter w = std::move(waiters_.front());
      waiters_.pop_front();
      w.done(make_error(errc::request_timed_out, "no producer id block from the controller in time; retry"));
    }
    arm_deadline();
  });
}

}  // namespace millrace::broker
