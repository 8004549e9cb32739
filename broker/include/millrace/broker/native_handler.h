#pragma once
// NativeHandler: the native protocol's thin adapter. Decodes the protobuf body of each request, calls the
// broker core (PartitionManager, FetchOperation), and encodes the response. No business rules live here.
// Thread-safety: network thread only.
#include <string>

#include <boost/asio/io_context.hpp>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/partition_manager.h"
#include "millrace/broker/producer_id_allocator.h"
#include "millrace/broker/raft_transport.h"
#include "millrace/broker/request_handler.h"

namespace google::protobuf {
class MessageLite;
}
namespace millrace::wire {
class MetadataResponse;
}

namespace millrace::broker {

class Controller;

class NativeHandler final : public RequestHandler {
 public:
  NativeHandler(boost::asio::io_context& io, PartitionManager& manager, ProducerIdAllocator& producer_ids,
                const BrokerConfig& config, HostPort advertised);

  void handle(const protocol::FrameView& frame, MutableByteView payload, Respond respond) override;
  // The address clients are told to use for this node (metadata responses).
  void set_advertised(HostPort advertised) { advertised_ = std::move(advertised); }
  // Cluster mode: metadata changes go to the controller; Raft messages from peers arrive here.
  void enable_cluster(Controller& controller, RaftTransport& transport) {
    controller_ = &controller;
    transport_ = &transport;
  }

 private:
  void handle_metadata(const protocol::FrameView& frame, Respond& respond);
  void handle_create_topics(const protocol::FrameView& frame, Respond& respond);
  void handle_delete_topics(const protocol::FrameView& frame, Respond& respond);
  void handle_list_topics(const protocol::FrameView& frame, Respond& respond);
  void handle_describe_topics(const protocol::FrameView& frame, Respond& respond);
  void handle_alter_topic_config(const protocol::FrameView& frame, Respond& respond);
  void handle_produce(const protocol::FrameView& frame, MutableByteView payload, Respond& respond);
  void handle_fetch(const protocol::FrameView& frame, Respond& respond);
  void handle_list_offsets(const protocol::FrameView& frame, Respond& respond);
  void handle_raft_messages(const protocol::FrameView& frame, Respond& respond);
  void handle_create_partitions(const protocol::FrameView& frame, Respond& respond);
  void handle_transfer_leadership(const protocol::FrameView& frame, Respond& respond);
  void handle_alter_partition_reassignment(const protocol::FrameView& frame, Respond& respond);
  void describe_brokers(wire::MetadataResponse& resp) const;
  void handle_init_producer_id(const protocol::FrameView& frame, Respond& respond);
  void handle_broker_heartbeat(const protocol::FrameView& frame, Respond& respond);
  void handle_allocate_producer_ids(const protocol::FrameView& frame, Respond& respond);

  boost::asio::io_context& io_;
  PartitionManager& manager_;
  ProducerIdAllocator& producer_ids_;
  const BrokerConfig& config_;
  HostPort advertised_;
  Controller* controller_ = nullptr;
  RaftTransport* transport_ = nullptr;
};

// Helpers shared by the handler's files.
namespace native {
// Parses `frame`'s body into `message`; false if it is not a valid message of that type.
bool parse_body(const protocol::FrameView& frame, google::protobuf::MessageLite& message);
Buffer encode(protocol::ApiKey key, uint32_t correlation_id, const google::protobuf::MessageLite& body,
              ByteView payload = {});
Buffer encode_error(uint32_t correlation_id, const Error& error);
int32_t wire_code(const Error& error);
}  // namespace native

}  // namespace millrace::broker
