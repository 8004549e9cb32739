#include "millrace/protocol/errc.h"

#include <string>

namespace millrace::protocol {
namespace {

struct ErrcInfo {
  errc code;
  std::string_view name;
  std::string_view description;
  bool retriable;
};

constexpr ErrcInfo kErrcTable[] = {
    {errc::none, "NONE", "success", false},
    {errc::unknown_server_error, "UNKNOWN_SERVER_ERROR", "unexpected server error", false},
    {errc::offset_out_of_range, "OFFSET_OUT_OF_RANGE", "offset is outside the partition's log", false},
    {errc::corrupt_message, "CORRUPT_MESSAGE", "record batch failed validation (size or CRC)", true},
    {errc::unknown_topic_or_partition, "UNKNOWN_TOPIC_OR_PARTITION", "topic or partition does not exist",
     true},
    {errc::invalid_fetch_size, "INVALID_FETCH_SIZE", "fetch size is invalid", false},
    {errc::leader_not_available, "LEADER_NOT_AVAILABLE", "partition has no leader", true},
    {errc::not_leader_or_follower, "NOT_LEADER_OR_FOLLOWER", "this node does not lead the partition", true},
    {errc::request_timed_out, "REQUEST_TIMED_OUT", "request timed out", true},
    {errc::broker_not_available, "BROKER_NOT_AVAILABLE", "broker not available", true},
    {errc::message_too_large, "MESSAGE_TOO_LARGE", "record batch is larger than the limit", false},
    {errc::network_exception, "NETWORK_EXCEPTION", "connection failed", true},
    {errc::invalid_topic_exception, "INVALID_TOPIC_EXCEPTION", "invalid topic name", false},
    {errc::record_list_too_large, "RECORD_LIST_TOO_LARGE", "request's records exceed the limit", false},
    {errc::not_enough_replicas, "NOT_ENOUGH_REPLICAS", "not enough in-sync replicas", true},
    {errc::invalid_required_acks, "INVALID_REQUIRED_ACKS", "acks must be 0, 1 or -1 (all)", false},
    {errc::invalid_timestamp, "INVALID_TIMESTAMP", "invalid timestamp", false},
    {errc::unsupported_version, "UNSUPPORTED_VERSION", "unsupported API or version", false},
    {errc::topic_already_exists, "TOPIC_ALREADY_EXISTS", "topic already exists", false},
    {errc::invalid_partitions, "INVALID_PARTITIONS", "invalid partition count", false},
    {errc::invalid_replication_factor, "INVALID_REPLICATION_FACTOR", "invalid replication factor", false},
    {errc::invalid_replica_assignment, "INVALID_REPLICA_ASSIGNMENT", "replica assignment is invalid", false},
    {errc::invalid_config, "INVALID_CONFIG", "invalid configuration", false},
    {errc::not_controller, "NOT_CONTROLLER", "this node is not the controller leader", true},
    {errc::invalid_request, "INVALID_REQUEST", "malformed request", false},
    {errc::unsupported_for_message_format, "UNSUPPORTED_FOR_MESSAGE_FORMAT", "record format not supported",
     false},
    {errc::policy_violation, "POLICY_VIOLATION", "request violates policy", false},
    {errc::out_of_order_sequence_number, "OUT_OF_ORDER_SEQUENCE_NUMBER",
     "the broker received an out of order sequence number from the producer", false},
    {errc::duplicate_sequence_number, "DUPLICATE_SEQUENCE_NUMBER",
     "the broker received a duplicate sequence number", false},
    {errc::invalid_producer_epoch, "INVALID_PRODUCER_EPOCH", "producer epoch is older than the current one",
     false},
    {errc::kafka_storage_error, "KAFKA_STORAGE_ERROR", "storage error on the broker", true},
    {errc::unknown_producer_id, "UNKNOWN_PRODUCER_ID", "the broker has no state for this producer id", false},
    {errc::reassignment_in_progress, "REASSIGNMENT_IN_PROGRESS", "a partition reassignment is in progress",
     false},
    {errc::unsupported_compression_type, "UNSUPPORTED_COMPRESSION_TYPE", "compression type not supported",
     false},
    {errc::invalid_record, "INVALID_RECORD", "record failed validation", false},
    {errc::producer_fenced, "PRODUCER_FENCED", "a newer producer with the same id is active", false},
};

const ErrcInfo* find_info(errc e) noexcept {
  for (const auto& info : kErrcTable) {
    if (info.code == e) return &info;
  }
  return nullptr;
}

class ProtocolCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "millrace.protocol"; }
  std::string message(int value) const override {
    const ErrcInfo* info = find_info(static_cast<errc>(value));
    if (info == nullptr) return "unknown error " + std::to_string(value);
    return std::string(info->name) + ": " + std::string(info->description);
  }
};

}  // namespace

const std::error_category& protocol_category() noexcept {
  static const ProtocolCategory category;
  return category;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), protocol_category()};
}

std::string_view errc_name(errc e) noexcept {
  const ErrcInfo* info = find_info(e);
  return info == nullptr ? std::string_view("UNKNOWN") : info->name;
}

bool is_retriable(errc e) noexcept {
  const ErrcInfo* info = find_info(e);
  return info != nullptr && info->retriable;
}

errc errc_from_wire(int32_t value) noexcept {
  const errc e = static_cast<errc>(value);
  return find_info(e) == nullptr ? errc::unknown_server_error : e;
}

}  // namespace millrace::protocol
