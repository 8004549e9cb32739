#pragma once
// ResponseFrame: one whole response frame read from a broker, owning its bytes; and the handler type that
// receives it. A handler gets either a frame or the Error that ended its request (timeout, broken
// connection, closed client). For requests that expect no response (acks=0 produce) the frame is empty.
#include <functional>
#include <memory>

#include "frame_buffer.h"
#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame.h"
#include "millrace/protocol/frame_format.h"
#include "millrace/protocol/result.h"
#include "spare_buffers.h"

namespace millrace::client::internal {

using SpareFrameBuffers = SpareBuffers<FrameBuffer>;

struct ResponseFrame {
  FrameBuffer bytes;  // the whole frame, length prefix included
  protocol::FrameHeader header;
  std::shared_ptr<SpareFrameBuffers> spares;  // where `bytes` goes back to once the frame is dropped, if set

  ResponseFrame() = default;
  ResponseFrame(ResponseFrame&&) noexcept = default;
  ResponseFrame& operator=(ResponseFrame&& other) noexcept {
    if (this != &other) {
      give_back();
      bytes = std::move(other.bytes);
      header = other.header;
      spares = std::move(other.spares);
    }
    return *this;
  }
  ~ResponseFrame() { give_back(); }

  ByteView body() const {
    return ByteView(bytes).subspan(protocol::frame_format::kHeaderBytes, header.body_length);
  }
  ByteView payload() const {
    return ByteView(bytes).subspan(protocol::frame_format::kHeaderBytes + header.body_length,
                                   header.payload_bytes());
  }

 private:
  void give_back() {
    if (spares) spares->give(std::move(bytes));
  }
};

using ResponseHandler = std::function<void(Result<ResponseFrame>)>;

}  // namespace millrace::client::internal
