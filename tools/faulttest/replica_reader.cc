#include "replica_reader.h"

#include <chrono>
#include <exception>

#include "millrace.pb.h"
#include "millrace/protocol/record_batch.h"
#include "native_requests.h"

namespace millrace::faulttest {

namespace {

constexpr int32_t kFetchMaxBytes = 1024 * 1024;
constexpr int64_t kMaxBatchBytes = 64 * 1024 * 1024;

wire::FetchPartitionResult fetch_once(testing::RawClient& client, const std::string& topic, int32_t partition,
                                      int64_t offset, std::string& payload) {
  wire::FetchRequest req;
  req.set_max_wait_ms(0);
  req.set_min_bytes(0);
  req.set_max_bytes(kFetchMaxBytes);
  auto* p = req.add_partitions();
  p->set_topic(topic);
  p->set_partition(partition);
  p->set_fetch_offset(offset);
  p->set_max_bytes(kFetchMaxBytes);
  testing::RawResponse raw;
  auto resp = testing::call<wire::FetchResponse>(client, protocol::ApiKey::fetch, req, {}, &raw);
  if (resp.results_size() != 1) throw std::runtime_error("fetch answered for no partition");
  payload = std::move(raw.payload);
  return resp.results(0);
}

}  // namespace

int64_t replica_high_watermark(uint16_t port, const std::string& topic, int32_t partition) {
  try {
    testing::RawClient client(port, std::chrono::milliseconds(2000));
    std::string payload;
    auto r = fetch_once(client, topic, partition, 0, payload);
    if (r.error_code() != 0) return -1;
    return r.high_watermark();
  } catch (const std::exception&) {
    return -1;
  }
}

ReplicaLog read_replica(int32_t node, uint16_t port, const std::string& topic, int32_t partition) {
  ReplicaLog log;
  log.node = node;
  try {
    testing::RawClient client(port, std::chrono::milliseconds(5000));
    int64_t offset = 0;
    while (true) {
      std::string payload;
      auto r = fetch_once(client, topic, partition, offset, payload);
      if (r.error_code() != 0) {
        log.error = "fetch at " + std::to_string(offset) + ": error " + std::to_string(r.error_code()) + " " +
                    r.error_message();
        return log;
      }
      if (log.high_watermark < 0) {
        log.high_watermark = r.high_watermark();
        log.log_start = r.log_start_offset();
      }
      if (offset >= log.high_watermark) break;
      ByteView rest(payload.data(), payload.size());
      bool progressed = false;
      while (!rest.empty()) {
        auto scan = protocol::scan_batch(rest, kMaxBatchBytes);
        if (scan.status != protocol::ScanStatus::complete) {
          if (scan.status == protocol::ScanStatus::corrupt) {
            log.error = "corrupt batch at or after offset " + std::to_string(offset) + ": " + scan.reason;
            return log;
          }
          break;  // a partial batch at the end of the answer
        }
        const auto size = static_cast<size_t>(scan.header.size_bytes());
        if (scan.header.next_offset() > log.high_watermark) break;
        if (scan.header.base_offset >= offset) {
          ReplicaBatch batch;
          batch.base_offset = scan.header.base_offset;
          batch.next_offset = scan.header.next_offset();
          batch.control = scan.header.is_control();
          batch.bytes.assign(rest.data(), size);
          log.batches.push_back(std::move(batch));
          offset = scan.header.next_offset();
          progressed = true;
        }
        rest = rest.subspan(size);
      }
      if (offset >= log.high_watermark) break;
      if (!progressed) {
        log.error = "no progress fetching at offset " + std::to_string(offset);
        return log;
      }
    }
    log.readable = true;
  } catch (const std::exception& e) {
    log.error = e.what();
  }
  return log;
}

}  // namespace millrace::faulttest
