#pragma once
// Client-visible error codes. Names and numbers are Kafka's, so the Kafka listener passes them through
// unchanged and operators recognise them. Hooked into std::error_code via protocol_category().
#include <cstdint>
#include <string_view>
#include <system_error>

namespace millrace::protocol {

enum class errc : int16_t {
  none = 0,
  unknown_server_error = -1,
  offset_out_of_range = 1,
  corrupt_message = 2,
  unknown_topic_or_partition = 3,
  invalid_fetch_size = 4,
  leader_not_available = 5,
  not_leader_or_follower = 6,
  request_timed_out = 7,
  broker_not_available = 8,
  message_too_large = 10,
  network_exception = 13,
  invalid_topic_exception = 17,
  record_list_too_large = 18,
  not_enough_replicas = 19,
  invalid_required_acks = 21,
  invalid_timestamp = 32,
  unsupported_version = 35,
  topic_already_exists = 36,
  invalid_partitions = 37,
  invalid_replication_factor = 38,
  invalid_replica_assignment = 39,
  invalid_config = 40,
  not_controller = 41,
  invalid_request = 42,
  unsupported_for_message_format = 43,
  policy_violation = 44,
  out_of_order_sequence_number = 45,
  duplicate_sequence_number = 46,
  invalid_producer_epoch = 47,
  kafka_storage_error = 56,
  unknown_producer_id = 59,
  reassignment_in_progress = 60,
  unsupported_compression_type = 76,
  invalid_record = 87,
  producer_fenced = 90,
};

const std::error_category& protocol_category() noexcept;
std::error_code make_error_code(errc e) noexcept;

// Kafka's upper-case name, e.g. "UNKNOWN_TOPIC_OR_PARTITION".
std::string_view errc_name(errc e) noexcept;

// Whether a client should retry the request (after refreshing metadata where that applies).
bool is_retriable(errc e) noexcept;

// Maps a wire value to errc; unknown values map to unknown_server_error.
errc errc_from_wire(int32_t value) noexcept;

}  // namespace millrace::protocol

template <>
struct std::is_error_code_enum<millrace::protocol::errc> : std::true_type {};
