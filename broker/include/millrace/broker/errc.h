#pragma once
// Broker-local failures that are not client-visible protocol errors (those use protocol::errc).
#include <system_error>

namespace millrace::broker {

enum class errc {
  invalid_config = 1,  // a config key, value or flag is wrong
  listen_failed,       // the listen address cannot be bound (occupied port, bad address)
  data_dir_unusable,   // the data directory cannot be created, written or locked
  metadata_store_failed,
};

const std::error_category& broker_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

}  // namespace millrace::broker

template <>
struct std::is_error_code_enum<millrace::broker::errc> : std::true_type {};
