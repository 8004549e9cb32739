#include "offset_assigner.h"

#include <string>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_format.h"
#include "millrace/storage/errc.h"

namespace millrace::storage {

namespace bf = protocol::batch_format;
using protocol::load_be;

Result<AssignedOffsets> assign_offsets(MutableByteView batches, Offset first_offset,
                                       int64_t max_batch_bytes) {
  if (batches.empty()) return make_error(errc::invalid_argument, "append of no batches");
  int64_t next = first_offset.value;
  size_t at = 0;
  while (at < batches.size()) {
    const size_t remaining = batches.size() - at;
    const char* batch = batches.data() + at;
    if (remaining < bf::kHeaderSize) {
      return make_error(errc::invalid_argument, "batch header cut short at byte " + std::to_string(at));
    }
    const int64_t size = int64_t{load_be<int32_t>(batch + bf::kBatchLength)} + int64_t{bf::kLogOverhead};
    const int32_t last_offset_delta = load_be<int32_t>(batch + bf::kLastOffsetDelta);
    if (size < static_cast<int64_t>(bf::kHeaderSize) || size > max_batch_bytes ||
        size > static_cast<int64_t>(remaining) || load_be<int8_t>(batch + bf::kMagic) != bf::kMagicV2 ||
        last_offset_delta < 0) {
      return make_error(errc::invalid_argument, "malformed batch of " + std::to_string(size) +
                                                    " bytes at byte " + std::to_string(at) + " (limit " +
                                                    std::to_string(max_batch_bytes) + ")");
    }
    protocol::set_base_offset(batches.subspan(at), next);
    next += int64_t{last_offset_delta} + 1;
    at += static_cast<size_t>(size);
  }
  return AssignedOffsets{first_offset, Offset{next}};
}

}  // namespace millrace::storage
