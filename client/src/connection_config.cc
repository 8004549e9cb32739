#include "millrace/client/connection_config.h"

#include "millrace/client/errc.h"
#include "millrace/protocol/frame_format.h"

namespace millrace::client {
namespace {

Status positive(int64_t value, const char* field) {
  if (value > 0) return {};
  return make_error(errc::invalid_config, std::string(field) + " must be > 0, got " + std::to_string(value));
}

}  // namespace

Status validate(const ConnectionConfig& config) {
  if (auto parsed = parse_bootstrap(config.bootstrap); !parsed) {
    return make_error(errc::invalid_config, "bootstrap: " + parsed.error().message);
  }
  if (auto st = positive(config.request_timeout_ms, "request_timeout_ms"); !st) return st;
  if (auto st = positive(config.connect_timeout_ms, "connect_timeout_ms"); !st) return st;
  if (config.reconnect_backoff_ms < 0) {
    return make_error(errc::invalid_config, "reconnect_backoff_ms must be >= 0");
  }
  if (auto st = positive(config.metadata_max_age_ms, "metadata_max_age_ms"); !st) return st;
  if (config.max_frame_bytes < protocol::frame_format::kHeaderBytes) {
    return make_error(errc::invalid_config, "max_frame_bytes must be at least the frame header size (16)");
  }
  return {};
}

}  // namespace millrace::client
