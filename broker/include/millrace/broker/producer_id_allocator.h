#pragma once
// ProducerIdAllocator: hands out idempotent producer ids, unique across the cluster and never reused, each
// with its epoch. The broker core asks it on InitProducerId; it knows nothing about wire formats.
//
// Implementations: LocalProducerIdAllocator (one node, ids from blocks recorded in the node's KV store) and
// ClusterProducerIdAllocator (blocks handed out by the controller, as Kafka's AllocateProducerIds does).
//
// Epochs: a fresh id always starts at epoch 0. Bumping the epoch of an existing id belongs to transactions
// (a known transactional id fencing its older instance), which Millrace does not have yet.
#include <cstdint>
#include <functional>

#include "millrace/protocol/result.h"

namespace millrace::broker {

struct ProducerIdAndEpoch {
  int64_t producer_id = -1;
  int16_t epoch = -1;
};

class ProducerIdAllocator {
 public:
  using Allocated = std::function<void(Result<ProducerIdAndEpoch>)>;
  virtual ~ProducerIdAllocator() = default;
  // Calls `done` (at once or later, on the owner's thread) with a producer id no one has had before, or an
  // error: the block could not be recorded (kafka_storage_error) or none came in time (request_timed_out,
  // retriable).
  virtual void allocate(Allocated done) = 0;
};

}  // namespace millrace::broker
