#include "millrace/broker/local_producer_id_allocator.h"

#include <string>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::errc;

Result<ProducerIdAndEpoch> LocalProducerIdAllocator::allocate() {
  if (next_id_ == block_end_) {
    if (Status st = claim_next_block(); !st) return std::move(st).error();
  }
  return ProducerIdAndEpoch{next_id_++, 0};
}

Status LocalProducerIdAllocator::claim_next_block() {
  auto stored = store_.get(kProducerIdBlockKey);
  if (!stored) {
    return make_error(errc::kafka_storage_error,
                      "cannot read the producer id block: " + stored.error().to_string());
  }
  int64_t start = 0;
  if (*stored) {
    if ((*stored)->size() != sizeof(int64_t)) {
      return make_error(errc::kafka_storage_error, "the stored producer id block is unreadable");
    }
    start = protocol::load_be<int64_t>((*stored)->data());
  }
  std::string next(sizeof(int64_t), '\0');
  protocol::store_be<int64_t>(next.data(), start + block_size_);
  if (Status st = store_.put(kProducerIdBlockKey, next); !st) {
    return make_error(errc::kafka_storage_error,
                      "cannot record the producer id block: " + st.error().to_string());
  }
  next_id_ = start;
  block_end_ = start + block_size_;
  return {};
}

}  // namespace millrace::broker
