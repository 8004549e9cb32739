#pragma once
// Fetcher: the consumer's fetch requests in flight and the results that came back.
//
// Contract: thread-safe. fetch() may be called from the consumer's thread; responses arrive on the I/O thread
// and are queued until take(). At most one fetch per broker is in flight (busy()). Every partition of a
// fetch gets exactly one CompletedFetch, carrying an error if the whole request failed.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "millrace/client/consumer_config.h"
#include "millrace/client/topic_partition.h"
#include "network_client.h"

namespace millrace::client::internal {

struct FetchTarget {
  TopicPartition partition;
  int64_t offset = 0;
};

struct CompletedFetch {
  TopicPartition partition;
  int64_t fetch_offset = 0;
  std::optional<Error> error;
  int64_t high_watermark = -1;
  int64_t log_start_offset = -1;
  std::shared_ptr<const ResponseFrame> frame;  // keeps `records` alive
  ByteView records;                            // this partition's raw batches
};

class Fetcher {
 public:
  Fetcher(NetworkClient& network, const ConsumerConfig& config);

  void fetch(NodeId node, std::vector<FetchTarget> targets);
  bool busy(NodeId node) const;
  // Waits until a completed fetch is queued or `deadline` passes; true if one is queued.
  bool wait(std::chrono::steady_clock::time_point deadline);
  std::vector<CompletedFetch> take();

 private:
  void on_response(NodeId node, const std::vector<FetchTarget>& targets, Result<ResponseFrame> frame);
  void complete(NodeId node, std::vector<CompletedFetch> results);

  NetworkClient& network_;
  const ConsumerConfig config_;
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::set<NodeId> busy_;
  std::vector<CompletedFetch> completed_;
};

}  // namespace millrace::client::internal
