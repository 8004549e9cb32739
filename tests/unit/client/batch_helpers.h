#pragma once
// Record batches for tests: `count` records with values "v<offset>" at `base_offset`, optionally a control
// batch.
#include <string>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_builder.h"
#include "millrace/protocol/record_batch_format.h"

namespace millrace::testing {

inline Buffer batch_at(int64_t base_offset, int count, bool control = false) {
  namespace bf = protocol::batch_format;
  protocol::RecordBatchBuilder builder;
  for (int i = 0; i < count; ++i) {
    protocol::Record r;
    r.value = "v" + std::to_string(base_offset + i);
    builder.append(r);
  }
  Buffer bytes = builder.build();
  protocol::set_base_offset(bytes, base_offset);
  if (control) {  // set the control bit and fix the CRC, which covers the attributes
    protocol::store_be<int16_t>(bytes.data() + bf::kAttributes, bf::kControlBit);
    protocol::store_be<uint32_t>(bytes.data() + bf::kCrc, protocol::crc32c(bytes.data() + bf::kAttributes,
                                                                           bytes.size() - bf::kAttributes));
  }
  return bytes;
}

inline Buffer concat(std::initializer_list<Buffer> parts) {
  Buffer out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace millrace::testing
