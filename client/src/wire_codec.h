#pragma once
// Turning response frames into protobuf messages and wire error codes into Errors.
#include <string>

#include "millrace/client/errc.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/frame_format.h"
#include "millrace/protocol/result.h"
#include "response_frame.h"

namespace millrace::client::internal {

// An Error for a per-item error_code from a response. `context` names the item ("topic 'events'") and is
// left out when the broker's message already mentions `name` ("events").
Error error_from_wire(int32_t code, const std::string& message, const std::string& context,
                      const std::string& name = "");

// The broker's ErrorResponse (ApiKey::error frame) as an Error.
Error error_from_error_frame(const ResponseFrame& frame);

// Parses the body of `frame` as `Message`. An ApiKey::error frame becomes its Error; an unparsable body
// becomes client::errc::bad_response.
template <class Message>
Result<Message> decode_response(const ResponseFrame& frame) {
  if (frame.header.api_key == static_cast<uint16_t>(protocol::ApiKey::error))
    return error_from_error_frame(frame);
  Message message;
  const ByteView body = frame.body();
  if (!message.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return make_error(errc::bad_response,
                      "cannot parse the body of a response to api " + std::to_string(frame.header.api_key));
  }
  return message;
}

}  // namespace millrace::client::internal
