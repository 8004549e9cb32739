#pragma once
// RecordAccumulator: the producer's buffered batches, one queue per partition, and the rules for when a
// batch is ready to send.
//
// Contract:
//  - Pure: no I/O, no clock of its own (callers pass now_ms, or a Clock read only when a batch starts), no
//    locking. The producer guards it with its mutex.
//  - A partition's queue is in send() order; only the back batch takes appends. It takes them up to
//    batch_bytes, or up to backlog_batch_bytes while it has to wait anyway (a batch ahead of it, or its
//    partition muted): fewer, larger batches when the producer is ahead of the broker, with no added wait.
//  - A front batch is ready when it is full (batch_bytes reached, or the next record did not fit), a later
//    batch exists, linger_ms has passed since it was created, or a flush/close is in progress — and its retry
//    backoff has passed and its partition is not muted.
//  - drain() counts the batches of each partition in flight: at most max_in_flight_per_partition (1 without
//    idempotence, which keeps order through retries by itself; up to 5 with it, where the broker's sequence
//    checks keep order). Without idempotence (several_batches_per_request) one drain takes the ready batches
//    queued behind the front one too, and they count as in flight together. A batch being retried
//    (attempts > 0) goes out only when none of its partition's batches is in flight, and alone, so a retry is
//    never overtaken. reenqueue() (retry) or release() (done) ends a batch's flight; put back last one first,
//    a request's batches keep their order. A stamped batch put back goes before every later-sequenced or
//    unstamped one.
//  - pause() holds a partition back entirely (an idempotent producer resetting its sequence numbers).
#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "producer_batch.h"

namespace millrace::client::internal {

// A partition named by a view of its topic's name: what send() finds a queue by, so a record costs no copy of
// the name (a queue's key is copied once, when the queue is created). A TopicPartition converts to one.
struct PartitionKey {
  std::string_view topic;
  PartitionId partition{0};

  PartitionKey(std::string_view t, PartitionId p) : topic(t), partition(p) {}
  PartitionKey(const TopicPartition& tp) : topic(tp.topic), partition(tp.partition) {}  // NOLINT: implicit
  bool operator==(const PartitionKey&) const = default;
};

// TopicPartition's order, for either form (a transparent comparator).
struct PartitionOrder {
  using is_transparent = void;
  bool operator()(PartitionKey a, PartitionKey b) const {
    if (const auto c = a.topic <=> b.topic; c != 0) return c < 0;
    return a.partition < b.partition;
  }
};

struct AccumulatorConfig {
  size_t batch_bytes = 16384;
  int64_t linger_ms = 5;
  int64_t delivery_timeout_ms = 120000;
  int32_t max_in_flight_per_partition = 1;
  // Without idempotence: drain() also takes the batches queued behind a partition's front batch, so they go
  // in the same request (the broker appends a partition's batches in order), and a partition with one request
  // in flight does not fall behind one batch per round trip.
  bool several_batches_per_request = false;
  // While a partition's open batch has to wait anyway (another of its batches is queued ahead of it, or the
  // partition may not send now: its in-flight window is full, it is paused, or a retry waits), the batch
  // keeps taking records up to this size instead of a new batch starting at batch_bytes. At or below
  // batch_bytes: off.
  size_t backlog_batch_bytes = 0;
};

// Rotates `partitions` (sorted in PartitionOrder, as Readiness lists them) to start at the first one after
// `last`, wrapping around. The sender starts each request to a node after the partition its previous request
// to that node ended with (Kafka's drain index): a request that max_request_bytes cuts short leaves the rest
// first in line for the next one, instead of the lowest-numbered partitions winning every round.
void rotate_after(std::vector<TopicPartition>& partitions, const TopicPartition& last);

class RecordAccumulator {
 public:
  using BatchPtr = std::unique_ptr<ProducerBatch>;
  using LeaderLookup = std::function<std::optional<NodeId>(const TopicPartition&)>;

  struct AppendResult {
    uint64_t batch_id = 0;
    bool new_batch = false;   // a batch was created (the sender must arm its linger timer)
    bool batch_full = false;  // a batch became full (send without waiting for linger)
  };

  struct Readiness {
    std::map<NodeId, std::vector<TopicPartition>> ready;  // ready partitions by leader, in PartitionOrder
    bool unknown_leader = false;                          // a partition with batches has no known leader
    int64_t next_check_ms =
        std::numeric_limits<int64_t>::max();  // when a waiting batch becomes ready or expires
  };

  // `buffer_pool` (may be null) recycles batch buffers; the batches share it, as they may outlive this.
  explicit RecordAccumulator(AccumulatorConfig config, std::shared_ptr<BatchBufferPool> buffer_pool = nullptr)
      : config_(config), buffer_pool_(std::move(buffer_pool)) {}

  // Appends to the partition's open batch, or starts a new one (cutting off the old one if it is still open).
  AppendResult append(PartitionKey partition, const protocol::RecordRef& record, PendingRecord pending,
                      int64_t now_ms);
  // A clock read only when the time is needed.
  struct Clock {
    int64_t (*now_ms)();
  };
  // The same, reading `clock` only if a batch is created (most records join an open one).
  AppendResult append(PartitionKey partition, const protocol::RecordRef& record, PendingRecord pending,
                      Clock clock);
  // Whether batch `batch_id` is still the open back batch of `partition` and takes `record_bytes` more.
  bool batch_accepts(PartitionKey partition, uint64_t batch_id, size_t record_bytes);

  Readiness ready(int64_t now_ms, const LeaderLookup& leader_of) const;
  // Takes the front batch of each listed partition that may send (closing it) while the total stays within
  // max_request_bytes (the first batch is always taken), counting it in flight. With
  // several_batches_per_request, also the batches behind it (the last one only once it is ready at now_ms),
  // in queue order, within the same bound: a partition's batches are then adjacent in the result.
  std::vector<BatchPtr> drain(const std::vector<TopicPartition>& partitions, size_t max_request_bytes,
                              int64_t now_ms = INT64_MAX);
  // Puts an in-flight batch back into its queue for a retry at retry_at_ms: at the front, or, if stamped,
  // after the stamped batches with lower sequence numbers.
  void reenqueue(BatchPtr batch);
  // Replaces an in-flight multi-record batch the broker refused as too large by batches of batch_bytes (if
  // it grew past that) or else by one batch per record, in the original order, where reenqueue() would put
  // the batch (no backoff: the split is the fix). A stamped batch's parts are stamped with its sequence
  // numbers in turn; their base sequences are returned (empty for an unstamped batch).
  std::vector<int32_t> split_and_reenqueue(BatchPtr batch);
  // One in-flight batch of `partition` is done (delivered or failed).
  void release(const TopicPartition& partition);
  // Whether `partition` may not send its front batch now (too many in flight, a retry waiting, paused).
  bool is_muted(const TopicPartition& partition) const;
  int32_t in_flight(const TopicPartition& partition) const;
  void pause(const TopicPartition& partition) { paused_.insert(partition); }
  void resume(const TopicPartition& partition) { paused_.erase(partition); }
  // Removes the queued stamped batches of `partition` (their sequence numbers are void).
  std::vector<BatchPtr> take_stamped(const TopicPartition& partition);

  // Removes queued batches created delivery_timeout_ms or more before now. Cheap until the oldest can have
  // expired: it looks at the batches only then (the sender calls it on every pass).
  std::vector<BatchPtr> expire(int64_t now_ms);
  // Removes every queued batch (a forced close).
  std::vector<BatchPtr> abort_all();

  // While a flush is in progress (or after close began) every batch is ready at once. Flushes nest.
  void begin_flush() { ++flushes_in_progress_; }
  void end_flush() { --flushes_in_progress_; }
  void set_closing() { closing_ = true; }

  size_t queued_batch_count() const;

 private:
  using Queue = std::deque<BatchPtr>;
  using Queues = std::map<TopicPartition, Queue, PartitionOrder>;

  template <class Now>
  AppendResult append_with(PartitionKey partition, const protocol::RecordRef& record, PendingRecord pending,
                           Now&& now_ms);

  AccumulatorConfig config_;
  std::shared_ptr<BatchBufferPool> buffer_pool_;
  Queues queues_;  // never holds an empty queue
  // The queue found last (send() looks up the same partition for record after record); null after any
  // queue is removed. Queues go through find_queue() and erase_queue() to keep it right.
  Queues::value_type* last_found_ = nullptr;
  Queues::value_type* find_queue(PartitionKey partition);
  Queues::iterator erase_queue(Queues::iterator it) {
    last_found_ = nullptr;
    return queues_.erase(it);
  }
  bool may_send(const TopicPartition& partition, const ProducerBatch& front) const;
  // Whether the back batch of `queue` (non-empty) takes a record that does not fit in batch_bytes because
  // it has to wait anyway (AccumulatorConfig::backlog_batch_bytes).
  bool grows(const TopicPartition& partition, const Queue& queue, size_t record_bytes) const;
  // Where a batch coming back from flight goes in its queue: the front, or, if stamped, after the stamped
  // batches with lower sequence numbers.
  static Queue::iterator return_position(Queue& queue, const ProducerBatch& batch);

  std::map<TopicPartition, int32_t> in_flight_;  // only partitions with batches in flight
  std::set<TopicPartition> paused_;
  // No queued batch expires before this (a lower bound, exact after each scan).
  int64_t earliest_expiry_ms_ = std::numeric_limits<int64_t>::max();
  void note_expiry(const ProducerBatch& batch) {
    earliest_expiry_ms_ = std::min(earliest_expiry_ms_, batch.created_ms() + config_.delivery_timeout_ms);
  }
  uint64_t next_batch_id_ = 1;
  int flushes_in_progress_ = 0;
  bool closing_ = false;
};

}  // namespace millrace::client::internal
