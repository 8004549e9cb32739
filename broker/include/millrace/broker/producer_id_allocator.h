#pragma once
// ProducerIdAllocator: hands out idempotent producer ids, unique across the cluster and never reused, each
// with its epoch. The broker core asks it on InitProducerId; it knows nothing about wire formats.
//
// Implementations: LocalProducerIdAllocator (one node, ids from blocks recorded in the node's KV store).
// Once the controller exists it allocates the blocks (as Kafka's AllocateProducerIds does), and a
// cluster implementation of this interface asks it for a new block when the current one runs out.
//
// Epochs: a fresh id always starts at epoch 0. Bumping the epoch of an existing id belongs to transactions
// (a known transactional id fencing its older instance), which Millrace does not have yet.
#include <cstdint>

#include "millrace/protocol/result.h"

namespace millrace::broker {

struct ProducerIdAndEpoch {
  int64_t producer_id = -1;
  int16_t epoch = -1;
};

class ProducerIdAllocator {
 public:
  virtual ~ProducerIdAllocator() = default;
  // A producer id no one has had before. Errors: the block could not be recorded (kafka_storage_error).
  virtual Result<ProducerIdAndEpoch> allocate() = 0;
};

}  // namespace millrace::broker
