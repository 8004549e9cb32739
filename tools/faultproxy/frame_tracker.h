#pragma once
// FrameTracker: follows Millrace native-protocol frame boundaries (docs/protocol.md: a 4-byte big-endian
// frame_length, then that many bytes) in one direction of a byte stream, and drops whole frames on request.
// It never buffers a frame: bytes go out (or are dropped) as they come in, so a frame split across any number
// of reads -- even its length prefix -- is handled, and memory stays constant.
//
// If a length prefix is outside [kFrameFixedBytes, max_frame_bytes] the stream is not (or no longer) framed:
// the tracker gives up and passes every later byte through unexamined (framed() turns false).
//
// Pure: no I/O, no clock. Not thread-safe; one tracker per direction of one connection.
#include <array>
#include <cstdint>
#include <functional>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame_format.h"

namespace millrace::faultproxy {

class FrameTracker {
 public:
  struct Outcome {
    uint64_t dropped_bytes = 0;
    uint64_t dropped_frames = 0;  // frames whose last byte was dropped by this call
  };

  explicit FrameTracker(uint32_t max_frame_bytes = protocol::frame_format::kDefaultMaxFrameBytes);

  // Appends the bytes of `in` that are kept to `out`. `drop_frame` is asked exactly once per frame, when its
  // first byte arrives; a frame it answers true for is dropped whole, however many calls it spans.
  Outcome filter(ByteView in, Buffer& out, const std::function<bool()>& drop_frame);

  bool framed() const { return framed_; }

 private:
  void emit(ByteView bytes, Buffer& out, Outcome& outcome) const;
  void finish_prefix(Outcome& outcome);

  uint32_t max_frame_bytes_;
  bool framed_ = true;
  bool dropping_ = false;  // the current frame is being dropped
  std::array<unsigned char, protocol::frame_format::kLengthPrefixBytes> prefix_{};
  size_t prefix_bytes_seen_ = 0;  // of the current frame's length prefix
  uint64_t body_bytes_left_ =
      0;  // of the current frame after its prefix; 0 = in the prefix or between frames
};

}  // namespace millrace::faultproxy
