#pragma once
// Errors the client library raises on its own, without a broker saying so: bad configuration, a closed
// client, a full producer buffer, a response it cannot read. Errors a broker reports keep their Kafka codes
// (millrace::protocol::errc), so callers test both with std::error_code comparisons:
//
//   if (report.error->code == millrace::protocol::errc::message_too_large) ...
//   if (status.error().code == millrace::client::errc::buffer_exhausted) ...
//
// Messages read like the broker's: "BUFFER_EXHAUSTED: producer buffer memory is full".
#include <system_error>

namespace millrace::client {

enum class errc : int {
  invalid_config = 1,    // a config field is out of range; the message names it
  invalid_argument = 2,  // a call's argument is malformed (bad "host:port", negative offset, ...)
  closed = 3,            // the producer / consumer was closed
  buffer_exhausted = 4,  // producer buffer memory stayed full for max_block_ms
  bad_response = 5,      // a broker response could not be parsed or did not match its request
  not_assigned = 6,      // the consumer is asked about a partition it is not assigned
};

const std::error_category& client_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

}  // namespace millrace::client

template <>
struct std::is_error_code_enum<millrace::client::errc> : std::true_type {};
