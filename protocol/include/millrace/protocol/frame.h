#pragma once
// One native-protocol frame, and the pure parser / writer for frames. No I/O here.
#include <cstdint>
#include <string>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame_format.h"
#include "millrace/protocol/result.h"

namespace google::protobuf {
class MessageLite;
}

namespace millrace::protocol {

struct FrameHeader {
  uint32_t frame_length = 0;
  uint16_t api_key = 0;
  uint16_t api_version = 0;
  uint32_t correlation_id = 0;
  uint32_t body_length = 0;

  size_t total_bytes() const { return frame_length + frame_format::kLengthPrefixBytes; }
  size_t payload_bytes() const { return frame_length - frame_format::kFrameFixedBytes - body_length; }
};

// A parsed frame viewing the caller's buffer.
struct FrameView {
  FrameHeader header;
  ByteView body;
  ByteView payload;
};

enum class ParseStatus { complete, need_more, error };

struct FrameParseResult {
  ParseStatus status;
  FrameView frame;          // valid when complete
  size_t bytes_needed = 0;  // when need_more: total bytes the frame needs (0 if the header is incomplete)
  std::string error;        // when error
};

// Parses the frame at the front of `bytes`. Checks frame_length against `max_frame_bytes` as soon as the
// length prefix is in, so an oversized frame is refused before it is read.
FrameParseResult parse_frame(ByteView bytes, uint32_t max_frame_bytes);

// Serialises a frame: header, protobuf body, then `payload` (may be empty). Appends to `out`.
void append_frame(Buffer& out, ApiKey api_key, uint32_t correlation_id,
                  const google::protobuf::MessageLite& body, ByteView payload = {});

// Writes only the 16 header bytes for a frame whose body and payload are sent separately (scatter/gather).
void write_frame_header(char* out16, ApiKey api_key, uint32_t correlation_id, uint32_t body_length,
                        uint64_t payload_length);

}  // namespace millrace::protocol
