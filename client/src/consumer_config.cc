#include "millrace/client/consumer_config.h"

#include <string>

#include "millrace/client/errc.h"

namespace millrace::client {
namespace {

Status at_least(int64_t value, int64_t minimum, const char* field) {
  if (value >= minimum) return {};
  return make_error(errc::invalid_config, std::string(field) + " must be >= " + std::to_string(minimum) +
                                              ", got " + std::to_string(value));
}

}  // namespace

Status validate(const ConsumerConfig& config) {
  if (auto st = validate(config.connection); !st) return st;
  if (auto st = at_least(config.fetch_max_wait_ms, 0, "fetch_max_wait_ms"); !st) return st;
  if (auto st = at_least(config.fetch_min_bytes, 0, "fetch_min_bytes"); !st) return st;
  if (auto st = at_least(config.fetch_max_bytes, 1, "fetch_max_bytes"); !st) return st;
  if (auto st = at_least(config.max_partition_fetch_bytes, 1, "max_partition_fetch_bytes"); !st) return st;
  if (auto st = at_least(config.max_poll_records, 1, "max_poll_records"); !st) return st;
  if (auto st = at_least(config.retry_backoff_ms, 0, "retry_backoff_ms"); !st) return st;
  if (auto st = at_least(config.fetch_connections, 1, "fetch_connections"); !st) return st;
  if (config.fetch_connections > kMaxFetchConnections) {
    return make_error(errc::invalid_config,
                      "fetch_connections must be <= " + std::to_string(kMaxFetchConnections) + ", got " +
                          std::to_string(config.fetch_connections));
  }
  if (config.auto_offset_reset != OffsetReset::earliest && config.auto_offset_reset != OffsetReset::latest &&
      config.auto_offset_reset != OffsetReset::none) {
    return make_error(errc::invalid_config, "auto_offset_reset must be earliest, latest or none");
  }
  return {};
}

}  // namespace millrace::client
