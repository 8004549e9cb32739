#pragma once
// Storage error codes, hooked into std::error_code via storage_category() ("millrace.storage").
// These are node-internal; the broker maps them to Kafka's client-visible codes (e.g. offset_out_of_range to
// OFFSET_OUT_OF_RANGE, the rest to KAFKA_STORAGE_ERROR).
#include <system_error>

namespace millrace::storage {

enum class errc : int {
  io_error = 1,         // a system call failed (the message names the call, file and errno text)
  corrupt_data,         // bytes on disk are not what storage wrote (the message names file and position)
  offset_out_of_range,  // a read below the log start or above the log end
  log_closed,           // the log was closed
  not_found,            // a file or key that does not exist
  invalid_argument,     // a caller broke a precondition that the outside world can cause
  disk_full,            // ENOSPC or EDQUOT
};

const std::error_category& storage_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

}  // namespace millrace::storage

template <>
struct std::is_error_code_enum<millrace::storage::errc> : std::true_type {};
