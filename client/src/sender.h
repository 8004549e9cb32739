#pragma once
// Sender: the producer's I/O-thread half. Each pass expires old batches, drains ready ones into produce
// requests per leader (many partitions per request, one batch per partition, at most
// max_in_flight_per_connection requests per broker; each request starts after the partition the node's
// previous one ended with, rotate_after), and handles the responses: completing batches,
// re-queueing retriable failures after retry_backoff_ms with a metadata refresh, failing the rest.
//
// With idempotence it first gets a producer id (InitProducerId) and stamps each batch with the next
// sequence numbers of its partition as it first drains it. An OUT_OF_ORDER_SEQUENCE_NUMBER answer for a
// batch behind an earlier one still on its way is retried (in sequence order); a stamped batch that fails
// for good resets its partition: its other stamped batches fail too, and it resumes at sequence 0 under a
// fresh producer id (docs/client.md, "Idempotence").
//
// Contract: wakeup() is thread-safe; everything else runs on the I/O thread. Passes also run on a timer
// armed for the next linger expiry, retry backoff or delivery timeout.
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <limits>
#include <map>
#include <memory>
#include <vector>

#include "network_client.h"
#include "producer_state.h"

namespace millrace::client::internal {

class Sender {
 public:
  Sender(NetworkClient& network, ProducerState& state, const ProducerConfig& config);

  void wakeup();
  // I/O thread only: no more passes.
  void stop();

 private:
  using BatchPtr = RecordAccumulator::BatchPtr;
  using BatchList = std::vector<BatchPtr>;

  void run_once();
  void request_producer_id();
  // Under the state mutex: `partition` abandons its sequence numbers; its queued stamped batches join `fail`.
  void reset_partition_locked(const TopicPartition& partition, BatchList& fail);
  void send_produce(NodeId node, BatchList batches);
  void handle_response(NodeId node, BatchList& batches, Result<ResponseFrame> frame);
  void finish(BatchPtr batch, Offset base_offset);
  // `shared_entry`: the batch went in one partition entry with others (drain() without idempotence).
  void retry_or_fail(BatchPtr batch, const Error& error, int64_t now_ms, bool shared_entry = false);
  // retry_or_fail() for several batches of one request, keeping each partition's order (see the .cc).
  struct Failed {
    BatchPtr batch;
    Error error;
    bool shared_entry = false;
  };
  void retry_or_fail_all(BatchList& batches, const Error& error, int64_t now_ms);
  void retry_or_fail_in_order(std::vector<Failed> failed, int64_t now_ms);
  bool splits(const ProducerBatch& batch, const Error& error) const;
  bool retried_alone(const Error& error, bool shared_entry) const;
  bool goes_back(const ProducerBatch& batch, const Error& error, bool shared_entry, int64_t now_ms) const;
  void arm_timer(int64_t at_ms);
  void refresh_metadata();

  NetworkClient& network_;
  ProducerState& state_;
  const ProducerConfig config_;
  boost::asio::steady_timer timer_;
  std::atomic<bool> wakeup_pending_{false};
  // I/O thread state:
  std::map<NodeId, int32_t> in_flight_requests_;
  std::map<NodeId, TopicPartition> last_drained_;  // the partition each node's latest request ended with
  bool metadata_refresh_pending_ = false;
  bool stopped_ = false;
  bool producer_id_request_in_flight_ = false;
  int64_t producer_id_retry_at_ms_ = 0;
};

}  // namespace millrace::client::internal
