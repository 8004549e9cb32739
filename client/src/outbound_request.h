#pragma once
// OutboundRequest: a request waiting to be written to a broker connection, with what to do with its answer.
#include <chrono>
#include <string>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame_format.h"
#include "response_frame.h"

namespace millrace::client::internal {

struct OutboundRequest {
  protocol::ApiKey api_key = protocol::ApiKey::metadata;
  std::string body;  // the serialised protobuf message
  Buffer payload;    // raw record batches, owned by the request
  // More payload, written after `payload` with gather I/O (no copy): the produce request's batches. Whoever
  // queues the request keeps these bytes alive and unchanged until on_done has run.
  std::vector<ByteView> payload_parts;
  // false only for acks=0 produce: the broker sends nothing back, so on_done runs once the bytes are written.
  bool expects_response = true;
  // From when the request is queued until its response is read.
  std::chrono::milliseconds timeout{30000};
  // Runs exactly once, on the I/O thread.
  ResponseHandler on_done;

  size_t payload_bytes() const {
    size_t total = payload.size();
    for (const ByteView part : payload_parts) total += part.size();
    return total;
  }
};

}  // namespace millrace::client::internal
