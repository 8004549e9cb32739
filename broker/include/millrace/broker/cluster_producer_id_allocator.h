#pragma once
// ClusterProducerIdAllocator: producer ids in cluster mode, from blocks the controller hands out
// (allocate_producer_ids, ApiKey 15; Kafka's KIP-730). The controller commits each block in its log, so ids
// are unique across the cluster, restarts and controller failovers; a broker's unused rest of a block is
// skipped after its restart.
//
// It holds the current block and asks for the next one (through `fetch`) once fewer than a tenth of a block
// is left, so InitProducerId rarely waits. When no id is in hand, allocate() waits for the next block up to
// `wait_timeout`, then answers REQUEST_TIMED_OUT (retriable: the client asks again).
//
// Thread-safety: owner (network) thread only; `fetch` must call back on that thread.
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "millrace/broker/producer_id_allocator.h"

namespace millrace::broker {

constexpr auto kProducerIdWaitTimeout = std::chrono::milliseconds(5000);

struct ProducerIdBlock {
  int64_t start = 0;
  int64_t length = 0;
};

class ClusterProducerIdAllocator final : public ProducerIdAllocator {
 public:
  using BlockFetched = std::function<void(Result<ProducerIdBlock>)>;
  using FetchBlock = std::function<void(BlockFetched)>;

  ClusterProducerIdAllocator(boost::asio::io_context& io, FetchBlock fetch,
                             std::chrono::milliseconds wait_timeout = kProducerIdWaitTimeout);
  ~ClusterProducerIdAllocator() override;

  void allocate(Allocated done) override;
  // Asks for the first block now (so the first InitProducerId need not wait).
  void prefetch() { maybe_fetch(); }
  // Fails waiting requests; later calls fail at once.
  void stop();

 private:
  struct Waiter {
    std::chrono::steady_clock::time_point deadline;
    Allocated done;
  };

  int64_t ids_left() const { return block_end_ - next_id_ + (spare_ ? spare_->length : 0); }
  void maybe_fetch();
  void on_fetched(Result<ProducerIdBlock> block);
  void serve_waiters();
  void arm_deadline();

  boost::asio::io_context& io_;
  FetchBlock fetch_;
  std::chrono::milliseconds wait_timeout_;
  boost::asio::steady_timer deadline_timer_;
  boost::asio::steady_timer retry_timer_;
  int64_t next_id_ = 0;
  int64_t block_end_ = 0;  // next_id_ == block_end_: the current block is used up
  int64_t last_length_ = 0;
  std::optional<ProducerIdBlock> spare_;
  std::deque<Waiter> waiters_;
  bool fetching_ = false;
  bool stopped_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // fetch callbacks check it
};

}  // namespace millrace::broker
