#pragma once
// The interface a connection dispatches parsed frames to. The native protocol implements it today; the Kafka
// listener will be another implementation over the same core.
#include <functional>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame.h"

namespace millrace::broker {

class RequestHandler {
 public:
  // Delivers the complete response frame for one request; an empty buffer means "no response" (acks=0).
  // May be called synchronously or later, on the network thread, exactly once.
  using Respond = std::function<void(Buffer frame)>;

  virtual ~RequestHandler() = default;
  // `payload` is mutable so produce can assign offsets in place; it is valid only during this call.
  virtual void handle(const protocol::FrameView& frame, MutableByteView payload, Respond respond) = 0;
};

}  // namespace millrace::broker
