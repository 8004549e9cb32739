#include "millrace/client/producer_config.h"

#include <string>

#include "millrace/client/errc.h"
#include "millrace/protocol/record_batch_format.h"

namespace millrace::client {
namespace {

Error invalid(const std::string& what) {
  return make_error(errc::invalid_config, what);
}

}  // namespace

Status validate(const ProducerConfig& config) {
  if (auto st = validate(config.connection); !st) return st;
  if (config.batch_bytes <= protocol::batch_format::kHeaderSize) {
    return invalid("batch_bytes must exceed the record batch header (61 bytes), got " +
                   std::to_string(config.batch_bytes));
  }
  if (config.linger_ms < 0) return invalid("linger_ms must be >= 0");
  if (config.acks != Acks::none && config.acks != Acks::leader && config.acks != Acks::all) {
    return invalid("acks must be 0, 1 or -1 (all)");
  }
  if (config.retry_backoff_ms < 0) return invalid("retry_backoff_ms must be >= 0");
  if (config.max_in_flight_per_connection < 1) return invalid("max_in_flight_per_connection must be >= 1");
  if (config.enable_idempotence && config.acks != Acks::all) {
    return invalid("enable_idempotence requires acks=all (-1); turn idempotence off to use acks 0 or 1");
  }
  if (config.enable_idempotence && config.max_in_flight_per_connection > kMaxInFlightIdempotent) {
    return invalid("enable_idempotence requires max_in_flight_per_connection <= " +
                   std::to_string(kMaxInFlightIdempotent) + ", got " +
                   std::to_string(config.max_in_flight_per_connection));
  }
  if (config.max_block_ms < 0) return invalid("max_block_ms must be >= 0");
  if (config.max_request_bytes <= protocol::batch_format::kHeaderSize) {
    return invalid("max_request_bytes must exceed the record batch header (61 bytes)");
  }
  if (config.buffer_memory_bytes < config.batch_bytes) {
    return invalid("buffer_memory_bytes (" + std::to_string(config.buffer_memory_bytes) +
                   ") must be at least batch_bytes (" + std::to_string(config.batch_bytes) + ")");
  }
  const int64_t minimum_delivery = int64_t{config.linger_ms} + config.connection.request_timeout_ms;
  if (config.delivery_timeout_ms < minimum_delivery) {
    return invalid("delivery_timeout_ms (" + std::to_string(config.delivery_timeout_ms) +
                   ") must be at least linger_ms + request_timeout_ms (" + std::to_string(minimum_delivery) +
                   ")");
  }
  return {};
}

}  // namespace millrace::client
