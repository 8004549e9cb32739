#pragma once
// LocalProducerIdAllocator: producer ids for a single node, handed out from blocks of kProducerIdBlockSize.
// The end of the current block is written to the node's KV store (key kProducerIdBlockKey, 8 bytes
// big-endian: the first id of the next block) BEFORE any id of the block is handed out, so ids never repeat
// across restarts; a restart skips the unused rest of a block.
//
// Single-node mode only: in a cluster the controller hands out the blocks (ClusterProducerIdAllocator).
//
// Thread-safety: owner (network) thread only.
#include <cstdint>
#include <string_view>

#include "millrace/broker/producer_id_allocator.h"
#include "millrace/storage/kv_store.h"

namespace millrace::broker {

constexpr int64_t kProducerIdBlockSize = 1000;
constexpr std::string_view kProducerIdBlockKey = "producer_id/next_block";

class LocalProducerIdAllocator final : public ProducerIdAllocator {
 public:
  explicit LocalProducerIdAllocator(storage::KvStore& store, int64_t block_size = kProducerIdBlockSize)
      : store_(store), block_size_(block_size) {}

  Result<ProducerIdAndEpoch> allocate();
  void allocate(Allocated done) override { done(allocate()); }

 private:
  Status claim_next_block();

  storage::KvStore& store_;
  const int64_t block_size_;
  int64_t next_id_ = 0;
  int64_t block_end_ = 0;  // next_id_ == block_end_: no ids left in hand
};

}  // namespace millrace::broker
