#pragma once
// The interface a connection dispatches parsed frames to. The native protocol implements it today; the Kafka
// listener will be another implementation over the same core.
#include <functional>

#include "millrace/broker/response_frame.h"
#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame.h"

namespace millrace::broker {

class RequestHandler {
 public:
  // Delivers the complete response frame for one request; an empty frame means "no response" (acks=0).
  // May be called synchronously or later, on the network thread, exactly once. A Buffer converts to a frame
  // wholly in memory; fetch responses carry their records as file ranges (response_frame.h).
  using Respond = std::function<void(ResponseFrame frame)>;

  virtual ~RequestHandler() = default;
  // `payload` is mutable so produce can assign offsets in place; it is valid only during this call.
  virtual void handle(const protocol::FrameView& frame, MutableByteView payload, Respond respond) = 0;
};

}  // namespace millrace::broker
