#pragma once
// LocalProducerIdAllocator: producer ids for a single node, handed out from blocks of kProducerIdBlockSize.
// The end of the current block is written to the node's KV store (key kProducerIdBlockKey, 8 bytes
// big-endian: the first id of the next block) BEFORE any id of the block is handed out, so ids never repeat
// across restarts; a restart skips the unused rest of a block.
//
// In a cluster, every node allocates from its own range: ids are id_base + (the local counter), with id_base
// = node id << kProducerIdNodeShift, so no two nodes hand out the same id without asking each other. (The
// issue's design has the controller hand out blocks; this keeps the same guarantee — unique across the
// cluster — without a broker-to-controller request, which the cluster protocol does not have yet.)
//
// Thread-safety: owner (network) thread only.
#include <cstdint>
#include <string_view>

#include "millrace/broker/producer_id_allocator.h"
#include "millrace/storage/kv_store.h"

namespace millrace::broker {

constexpr int64_t kProducerIdBlockSize = 1000;
constexpr std::string_view kProducerIdBlockKey = "producer_id/next_block";
constexpr int kProducerIdNodeShift = 32;  // 2^32 ids per node; node ids are below 2^31

constexpr int64_t producer_id_base_for_node(int32_t node_id) {
  return static_cast<int64_t>(node_id) << kProducerIdNodeShift;
}

class LocalProducerIdAllocator final : public ProducerIdAllocator {
 public:
  explicit LocalProducerIdAllocator(storage::KvStore& store, int64_t block_size = kProducerIdBlockSize,
                                    int64_t id_base = 0)
      : store_(store), block_size_(block_size), id_base_(id_base) {}

  Result<ProducerIdAndEpoch> allocate() override;

 private:
  Status claim_next_block();

  storage::KvStore& store_;
  const int64_t block_size_;
  const int64_t id_base_;
  int64_t next_id_ = 0;
  int64_t block_end_ = 0;  // next_id_ == block_end_: no ids left in hand
};

}  // namespace millrace::broker
