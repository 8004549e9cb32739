#pragma once
// Native protocol frame layout. docs/protocol.md describes it byte by byte. All integers big-endian.
//
//   offset size  field
//   0      4     frame_length   bytes after this field (kFrameFixedBytes .. max_frame_bytes)
//   4      2     api_key        which request (ApiKey); responses echo it
//   6      2     api_version    0 for every API today
//   8      4     correlation_id chosen by the client, echoed in the response
//   12     4     body_length    length of the protobuf body that follows
//   16     B     body           protobuf message for this API (request or response)
//   16+B   R     payload        raw RecordBatch v2 bytes (produce requests, fetch responses); R =
//   frame_length-12-B
#include <cstddef>
#include <cstdint>

namespace millrace::protocol::frame_format {

constexpr size_t kLengthPrefixBytes = 4;
constexpr size_t kApiKey = 4;
constexpr size_t kApiVersion = 6;
constexpr size_t kCorrelationId = 8;
constexpr size_t kBodyLength = 12;
constexpr size_t kHeaderBytes = 16;                                     // everything before the body
constexpr size_t kFrameFixedBytes = kHeaderBytes - kLengthPrefixBytes;  // minimum frame_length

constexpr uint32_t kDefaultMaxFrameBytes = 100u * 1024 * 1024;  // broker config: max_frame_bytes

}  // namespace millrace::protocol::frame_format

namespace millrace::protocol {

enum class ApiKey : uint16_t {
  metadata = 1,
  create_topics = 2,
  delete_topics = 3,
  list_topics = 4,
  describe_topics = 5,
  produce = 6,
  fetch = 7,
  list_offsets = 8,
  alter_topic_config = 9,
  init_producer_id = 10,
  raft_messages = 11,  // between brokers: Raft messages, one-way (no response)
  create_partitions = 12,
  transfer_leadership = 13,
  broker_heartbeat = 14,       // broker to controller leader: registration and liveness
  allocate_producer_ids = 15,  // broker to controller leader: the next block of producer ids
  alter_partition_reassignment = 16,
  error = 0xFFFF,  // response only: the request could not be handled at all (unknown API, bad body)
};

constexpr uint16_t kApiVersion0 = 0;

}  // namespace millrace::protocol
