#pragma once
// Fetcher: the consumer's fetch requests in flight and the results that came back.
//
// Contract: thread-safe. fetch() may be called from the consumer's thread; responses arrive on the I/O
// threads and are queued until take(). A fetch goes out on one of the lanes (network clients, each with its
// own connection to every broker and its own I/O thread); at most one fetch per broker and lane is in flight
// (busy()). Every partition of a fetch gets exactly one CompletedFetch, carrying an error if the whole
// request failed. When the consumer's fetches use several lanes, the I/O thread that read a response also
// checks (CRC-32C) and decodes its records, so that this work runs on several cores and the consumer's thread
// only hands records out; with one lane in use the consumer's thread does it (decode()) while the I/O thread
// reads the next response.
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "millrace/client/consumer_config.h"
#include "millrace/client/topic_partition.h"
#include "millrace/protocol/record_view.h"
#include "network_client.h"
#include "spare_buffers.h"

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
  std::shared_ptr<const ResponseFrame> frame;  // keeps `batches` alive
  ByteView batches;                            // this partition's raw batches
  // Where the next fetch starts: after the last whole batch (from the batch headers alone until decoded).
  int64_t next_offset = 0;
  // Set by Fetcher::decode() (results without `error` only): the records at or after fetch_offset, views into
  // `frame`; or why the batches could not be read (then no records).
  bool decoded = false;
  std::vector<protocol::RecordView> records;
  std::optional<Error> decode_error;
};

class Fetcher {
 public:
  // `lanes`: at least one; they must outlive the Fetcher's last fetch.
  Fetcher(std::vector<NetworkClient*> lanes, const ConsumerConfig& config);

  size_t lanes() const { return lanes_.size(); }
  // Sends one fetch for `targets` to the broker `node` at `address`, on lane `lane` (< lanes()).
  // `decode_on_io`: the lane's I/O thread decodes the results (else they come back undecoded).
  void fetch(NodeId node, const BrokerAddress& address, size_t lane, std::vector<FetchTarget> targets,
             bool decode_on_io);
  bool busy(NodeId node, size_t lane) const;
  // Waits until a completed fetch is queued or `deadline` passes; true if one is queued.
  bool wait(std::chrono::steady_clock::time_point deadline);
  std::vector<CompletedFetch> take();
  // Checks and decodes `result`'s batches, unless done already. Any thread.
  void decode(CompletedFetch& result);
  // Gives back a spent record vector, whose storage the next results reuse.
  void recycle(std::vector<protocol::RecordView>&& records) { spare_records_.give(std::move(records)); }

 private:
  using Lane = std::pair<NodeId, size_t>;  // a broker and a lane

  void on_response(Lane lane, const std::vector<FetchTarget>& targets, bool decode_on_io,
                   Result<ResponseFrame> frame);
  void complete(Lane lane, std::vector<CompletedFetch> results);

  const std::vector<NetworkClient*> lanes_;
  const ConsumerConfig config_;
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::set<Lane> busy_;
  std::vector<CompletedFetch> completed_;
  SpareBuffers<std::vector<protocol::RecordView>> spare_records_{64, 1, static_cast<size_t>(-1)};
};

}  // namespace millrace::client::internal
