#include "wire_codec.h"

#include "millrace.pb.h"

namespace millrace::client::internal {

Error error_from_wire(int32_t code, const std::string& message, const std::string& context,
                      const std::string& name) {
  const protocol::errc e = protocol::errc_from_wire(code);
  const bool message_names_it = !name.empty() && message.find(name) != std::string::npos;
  std::string text = message_names_it ? "" : context;
  if (e == protocol::errc::unknown_server_error &&
      code != static_cast<int32_t>(protocol::errc::unknown_server_error)) {
    text += (text.empty() ? "" : ": ") + std::string("broker error code ") + std::to_string(code);
  }
  if (!message.empty()) text += (text.empty() ? "" : ": ") + message;
  return make_error(e, std::move(text));
}

Error error_from_error_frame(const ResponseFrame& frame) {
  wire::ErrorResponse response;
  const ByteView body = frame.body();
  if (!response.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
    return make_error(errc::bad_response, "cannot parse the broker's error response");
  }
  return error_from_wire(response.error_code(), response.error_message(), "");
}

}  // namespace millrace::client::internal
