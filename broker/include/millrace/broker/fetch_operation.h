#pragma once
// FetchOperation: one fetch over several partitions, with Kafka's long-poll semantics. It completes when at
// least min_bytes are readable, when max_wait_ms passes, or at once on any partition error. Wire-agnostic.
//
// Thread-safety: owner (network) thread only. Keeps itself alive until it has completed.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "millrace/broker/partition_manager.h"

namespace millrace::broker {

struct FetchPartitionSpec {
  std::string topic;
  int32_t partition = 0;
  Offset offset;
  int32_t max_bytes = 0;
};

struct FetchSpec {
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 1;
  int32_t max_bytes = 0;
  std::vector<FetchPartitionSpec> partitions;
};

struct FetchPartitionOutcome {
  std::optional<Error> error;
  Offset high_watermark;
  Offset log_start_offset;
  storage::RangeReadResult records;  // whole batches, as ranges of segment files (sent with sendfile)
};

constexpr int32_t kFetchMaxWaitMsLimit = 5 * 60 * 1000;

class FetchOperation : public std::enable_shared_from_this<FetchOperation> {
 public:
  using Callback = std::function<void(std::vector<FetchPartitionOutcome>)>;

  static void start(boost::asio::io_context& io, PartitionManager& manager, FetchSpec spec, Callback done);

  FetchOperation(boost::asio::io_context& io, PartitionManager& manager, FetchSpec spec, Callback done);

 private:
  void attempt(bool final_attempt);
  std::vector<FetchPartitionOutcome> read_all(size_t& total_bytes, bool& any_error);
  void wait_for_data();
  void finish(std::vector<FetchPartitionOutcome> outcomes);

  PartitionManager& manager_;
  FetchSpec spec_;
  Callback done_;
  boost::asio::steady_timer timer_;
  std::vector<std::pair<std::weak_ptr<Partition>, uint64_t>> waiters_;
  bool finished_ = false;
};

}  // namespace millrace::broker
