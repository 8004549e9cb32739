#pragma once
// Producer: sends records to topics, batching them per partition.
//
// Contract:
//  - Thread-safe: send(), flush() and close() may be called from any number of threads.
//  - send() returns once the record is in the producer's buffer; delivery happens in the background on the
//    producer's I/O thread, which also runs the delivery callbacks (see DeliveryReport for what "delivered"
//    means). Each accepted record gets exactly one callback. Callbacks must not block.
//  - Ordering: records sent to the same partition from one thread are appended in send() order, retries
//    included. With idempotence (the default) a partition has up to 5 batches in flight, stamped with
//    sequence numbers the broker checks, and a retry is never appended twice; without it, one batch.
//  - Idempotence: the producer gets a producer id from the broker before its first produce (InitProducerId).
//    A batch that fails for good resets its partition's sequence numbers under a fresh producer id
//    (docs/client.md, "Idempotence").
//  - send() blocks up to max_block_ms for the topic's metadata and for buffer memory. It fails at once, with
//    no callback, for a topic the broker says does not exist (Millrace never creates topics implicitly),
//    a partition out of range, a record larger than max_request_bytes or buffer_memory_bytes, or a closed
//    producer.
//  - Retriable broker errors (NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT, NETWORK_EXCEPTION, ...) refresh the
//    metadata and retry after retry_backoff_ms, until delivery_timeout_ms after send().
//  - flush() sends what is buffered at once and waits until no record is outstanding: every record sent
//    before the call (and any sent concurrently by other threads) has had its callback.
//  - close() flushes, then stops the I/O thread. The destructor calls close().
#include <chrono>
#include <future>
#include <memory>

#include "millrace/client/delivery_report.h"
#include "millrace/client/producer_config.h"
#include "millrace/client/producer_record.h"
#include "millrace/protocol/result.h"

namespace millrace::client {

class Producer {
 public:
  // Validates the config and starts the I/O thread. Connects lazily, on the first send().
  static Result<std::unique_ptr<Producer>> create(ProducerConfig config);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues `record`; `callback` runs once with its delivery report. On an error result the callback never
  // runs.
  Status send(ProducerRecord record, DeliveryCallback callback);
  // The same, with the report delivered through a future (an immediate failure is a ready future with an
  // error).
  std::future<DeliveryReport> send(ProducerRecord record);
  // The same as send(record, callback) for a record that views the caller's bytes: they are copied into the
  // batch before this returns, and need not outlive the call.
  Status send_view(const ProducerRecordView& record, DeliveryCallback callback);

  // Sends everything buffered now (ignoring linger_ms) and waits until all outstanding records are delivered
  // or failed.
  void flush();
  // Refuses new sends, flushes for at most `timeout`, fails what is still undelivered with
  // client::errc::closed, stops the I/O thread. Idempotent.
  void close(std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

  const ProducerConfig& config() const;

  class Impl;

 private:
  explicit Producer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace millrace::client
