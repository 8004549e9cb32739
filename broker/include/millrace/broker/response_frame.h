#pragma once
// ResponseFrame: one response as it goes to the socket: `bytes` (frame header, body and any payload held in
// memory) followed by `ranges` (payload still in segment files, sent with sendfile(2)). The frame header's
// payload length counts the ranges' bytes: the frame is exactly bytes + every range, in that order.
#include <cstddef>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/storage/file_range.h"

namespace millrace::broker {

struct ResponseFrame {
  ResponseFrame() = default;
  // A frame wholly in memory (most responses). Implicit, so that handlers can respond with a Buffer.
  ResponseFrame(Buffer frame_bytes) : bytes(std::move(frame_bytes)) {}  // NOLINT(google-explicit-constructor)

  Buffer bytes;
  std::vector<storage::FileRange> ranges;

  // No response at all (acks=0).
  bool empty() const { return bytes.empty() && ranges.empty(); }
  size_t size_bytes() const {
    size_t total = bytes.size();
    for (const auto& range : ranges) total += static_cast<size_t>(range.length());
    return total;
  }
};

}  // namespace millrace::broker
