#pragma once
// ResponseFrame: one whole response frame read from a broker, owning its bytes; and the handler type that
// receives it. A handler gets either a frame or the Error that ended its request (timeout, broken
// connection, closed client). For requests that expect no response (acks=0 produce) the frame is empty.
#include <functional>

#include "frame_buffer.h"
#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame.h"
#include "millrace/protocol/frame_format.h"
#include "millrace/protocol/result.h"

namespace millrace::client::internal {

struct ResponseFrame {
  FrameBuffer bytes;  // the whole frame, length prefix included
  protocol::FrameHeader header;

  ByteView body() const {
    return ByteView(bytes).subspan(protocol::frame_format::kHeaderBytes, header.body_length);
  }
  ByteView payload() const {
    return ByteView(bytes).subspan(protocol::frame_format::kHeaderBytes + header.body_length,
                                   header.payload_bytes());
  }
};

using ResponseHandler = std::function<void(Result<ResponseFrame>)>;

}  // namespace millrace::client::internal
