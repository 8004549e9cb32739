#include "millrace/protocol/frame.h"

#include <google/protobuf/message_lite.h>

#include "millrace/protocol/byte_order.h"

namespace millrace::protocol {

namespace ff = frame_format;

FrameParseResult parse_frame(ByteView bytes, uint32_t max_frame_bytes) {
  FrameParseResult result{ParseStatus::need_more, {}, 0, {}};
  if (bytes.size() < ff::kLengthPrefixBytes) return result;
  const uint32_t frame_length = load_be<uint32_t>(bytes.data());
  if (frame_length < ff::kFrameFixedBytes) {
    result.status = ParseStatus::error;
    result.error = "frame length " + std::to_string(frame_length) + " is smaller than the frame header";
    return result;
  }
  if (frame_length > max_frame_bytes) {
    result.status = ParseStatus::error;
    result.error = "frame length " + std::to_string(frame_length) + " exceeds max_frame_bytes " +
                   std::to_string(max_frame_bytes);
    return result;
  }
  const size_t total = size_t{frame_length} + ff::kLengthPrefixBytes;
  if (bytes.size() < total) {
    result.bytes_needed = total;
    return result;
  }
  FrameHeader h;
  h.frame_length = frame_length;
  h.api_key = load_be<uint16_t>(bytes.data() + ff::kApiKey);
  h.api_version = load_be<uint16_t>(bytes.data() + ff::kApiVersion);
  h.correlation_id = load_be<uint32_t>(bytes.data() + ff::kCorrelationId);
  h.body_length = load_be<uint32_t>(bytes.data() + ff::kBodyLength);
  if (h.body_length > frame_length - ff::kFrameFixedBytes) {
    result.status = ParseStatus::error;
    result.error = "body length " + std::to_string(h.body_length) + " exceeds frame length";
    return result;
  }
  result.status = ParseStatus::complete;
  result.frame.header = h;
  result.frame.body = bytes.subspan(ff::kHeaderBytes, h.body_length);
  result.frame.payload = bytes.subspan(ff::kHeaderBytes + h.body_length, h.payload_bytes());
  return result;
}

void write_frame_header(char* out16, ApiKey api_key, uint32_t correlation_id, uint32_t body_length,
                        uint64_t payload_length) {
  const uint64_t frame_length = ff::kFrameFixedBytes + uint64_t{body_length} + payload_length;
  store_be<uint32_t>(out16, static_cast<uint32_t>(frame_length));
  store_be<uint16_t>(out16 + ff::kApiKey, static_cast<uint16_t>(api_key));
  store_be<uint16_t>(out16 + ff::kApiVersion, kApiVersion0);
  store_be<uint32_t>(out16 + ff::kCorrelationId, correlation_id);
  store_be<uint32_t>(out16 + ff::kBodyLength, body_length);
}

void append_frame(Buffer& out, ApiKey api_key, uint32_t correlation_id,
                  const google::protobuf::MessageLite& body, ByteView payload) {
  const size_t body_length = body.ByteSizeLong();
  const size_t start = out.size();
  out.resize(start + ff::kHeaderBytes + body_length + payload.size());
  char* p = out.data() + start;
  write_frame_header(p, api_key, correlation_id, static_cast<uint32_t>(body_length), payload.size());
  body.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(p + ff::kHeaderBytes));
  if (!payload.empty()) std::copy(payload.begin(), payload.end(), p + ff::kHeaderBytes + body_length);
}

}  // namespace millrace::protocol
