#pragma once
// Consumer: reads records from manually assigned partitions (no consumer groups yet).
//
// Contract:
//  - NOT thread-safe: use one Consumer from one thread at a time (as Kafka's KafkaConsumer). Its background
//    I/O thread is internal.
//  - poll() (and poll_views(), below) returns records in offset order within each partition; records of
//  different partitions
//    interleave in no particular order. Control batches (Raft no-ops, configuration) are skipped.
//  - The position of a partition is the offset of the next record poll() will return. Every record poll()
//    returns advances it past that record; seek() sets it.
//  - A partition without a position (just assigned) starts per auto_offset_reset; an out-of-range position
//    (e.g. after retention removed it) is reset the same way, or poll() fails with OFFSET_OUT_OF_RANGE when
//    the policy is `none`.
//  - Fetches are long polls and are kept in flight between polls (prefetching), so records arrive while the
//    application is busy.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "millrace/client/consumer_config.h"
#include "millrace/client/consumer_record.h"
#include "millrace/client/consumer_records.h"
#include "millrace/client/topic_partition.h"
#include "millrace/protocol/result.h"

namespace millrace::client {

class Consumer {
 public:
  // Validates the config and starts the I/O thread. Connects lazily.
  static Result<std::unique_ptr<Consumer>> create(ConsumerConfig config);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Replaces the assignment. Partitions kept from the old assignment keep their positions.
  Status assign(const std::vector<TopicPartition>& partitions);
  // Assigns every partition of `topic` (asks the broker how many there are).
  // Errors: UNKNOWN_TOPIC_OR_PARTITION, network errors.
  Status assign_topic(const std::string& topic);
  std::vector<TopicPartition> assignment() const;

  // Sets the position of an assigned partition. An offset beyond the log is handled as out of range on the
  // next fetch. Errors: client::errc::not_assigned, invalid_argument (negative offset).
  Status seek(const TopicPartition& partition, Offset offset);
  // Moves the given partitions (all assigned ones if empty) to the log start / log end, evaluated lazily on
  // the next poll() or position().
  Status seek_to_beginning(const std::vector<TopicPartition>& partitions = {});
  Status seek_to_end(const std::vector<TopicPartition>& partitions = {});
  // The next offset poll() will return for `partition`; resolves a pending reset by asking the broker.
  Result<Offset> position(const TopicPartition& partition);

  // Waits up to `timeout` for records and returns those there are (possibly none). Errors: non-retriable
  // fetch errors (OFFSET_OUT_OF_RANGE with auto_offset_reset=none, CORRUPT_MESSAGE, ...), closed consumer.
  // Retriable errors are retried internally within the timeout.
  Result<std::vector<ConsumerRecord>> poll(std::chrono::milliseconds timeout);
  // poll() without copies: the same records, positions, resets and errors, as views into the fetched
  // responses, which the returned ConsumerRecords owns. Its views are valid until it is destroyed (see
  // consumer_records.h); no heap allocation per record. poll() is this plus one owning copy per record.
  Result<ConsumerRecords> poll_views(std::chrono::milliseconds timeout);

  // Stops the I/O thread; later calls fail with client::errc::closed. Idempotent; the destructor calls it.
  void close();

  class Impl;

 private:
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace millrace::client
