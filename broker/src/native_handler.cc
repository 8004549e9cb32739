#include "millrace/broker/native_handler.h"

#include <algorithm>

#include "millrace.pb.h"
#include "millrace/broker/controller.h"
#include "millrace/broker/raft_wire.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::ApiKey;
using protocol::errc;

namespace native {

bool parse_body(const protocol::FrameView& frame, google::protobuf::MessageLite& message) {
  return message.ParseFromArray(frame.body.data(), static_cast<int>(frame.body.size()));
}

Buffer encode(ApiKey key, uint32_t correlation_id, const google::protobuf::MessageLite& body,
              ByteView payload) {
  Buffer out;
  protocol::append_frame(out, key, correlation_id, body, payload);
  return out;
}

Buffer encode_error(uint32_t correlation_id, const Error& error) {
  wire::ErrorResponse body;
  body.set_error_code(wire_code(error));
  body.set_error_message(error.message);
  return encode(ApiKey::error, correlation_id, body);
}

int32_t wire_code(const Error& error) {
  if (error.code.category() == protocol::protocol_category()) return error.code.value();
  return static_cast<int32_t>(errc::unknown_server_error);
}

}  // namespace native

NativeHandler::NativeHandler(boost::asio::io_context& io, PartitionManager& manager,
                             ProducerIdAllocator& producer_ids, const BrokerConfig& config,
                             HostPort advertised)
    : io_(io),
      manager_(manager),
      producer_ids_(producer_ids),
      config_(config),
      advertised_(std::move(advertised)) {}

void NativeHandler::handle(const protocol::FrameView& frame, MutableByteView payload, Respond respond) {
  if (frame.header.api_version != protocol::kApiVersion0) {
    respond(native::encode_error(
        frame.header.correlation_id,
        make_error(errc::unsupported_version, "api version " + std::to_string(frame.header.api_version) +
                                                  " is not supported (only 0)")));
    return;
  }
  switch (static_cast<ApiKey>(frame.header.api_key)) {
    case ApiKey::metadata:
      return handle_metadata(frame, respond);
    case ApiKey::create_topics:
      return handle_create_topics(frame, respond);
    case ApiKey::delete_topics:
      return handle_delete_topics(frame, respond);
    case ApiKey::list_topics:
      return handle_list_topics(frame, respond);
    case ApiKey::describe_topics:
      return handle_describe_topics(frame, respond);
    case ApiKey::produce:
      return handle_produce(frame, payload, respond);
    case ApiKey::fetch:
      return handle_fetch(frame, respond);
    case ApiKey::list_offsets:
      return handle_list_offsets(frame, respond);
    case ApiKey::alter_topic_config:
      return handle_alter_topic_config(frame, respond);
    case ApiKey::raft_messages:
      return handle_raft_messages(frame, respond);
    case ApiKey::create_partitions:
      return handle_create_partitions(frame, respond);
    case ApiKey::transfer_leadership:
      return handle_transfer_leadership(frame, respond);
    case ApiKey::alter_partition_reassignment:
      return handle_alter_partition_reassignment(frame, respond);
    case ApiKey::init_producer_id:
      return handle_init_producer_id(frame, respond);
    case ApiKey::broker_heartbeat:
      return handle_broker_heartbeat(frame, respond);
    case ApiKey::allocate_producer_ids:
      return handle_allocate_producer_ids(frame, respond);
    case ApiKey::error:
      break;
  }
  respond(native::encode_error(
      frame.header.correlation_id,
      make_error(errc::unsupported_version, "unknown api key " + std::to_string(frame.header.api_key))));
}

void NativeHandler::handle_metadata(const protocol::FrameView& frame, Respond& respond) {
  wire::MetadataRequest req;
  if (!native::parse_body(frame, req)) {
    respond(native::encode_error(frame.header.correlation_id,
                                 make_error(errc::invalid_request, "malformed metadata request")));
    return;
  }
  wire::MetadataResponse resp;
  describe_brokers(resp);

  std::vector<std::string> names(req.topics().begin(), req.topics().end());
  if (names.empty()) {
    for (const auto& t : manager_.list_topics()) names.push_back(t.name);
  }
  for (const auto& name : names) {
    auto* topic = resp.add_topics();
    topic->set_name(name);
    auto state = manager_.describe_topic(name);
    if (!state) {
      topic->set_error_code(native::wire_code(state.error()));
      topic->set_error_message(state.error().message);
      continue;
    }
    for (const auto& p : state->partitions) {
      auto* pm = topic->add_partitions();
      pm->set_partition(p.id.value);
      pm->set_leader(p.leader);
      if (p.replicas.empty()) {
        if (p.error) pm->set_error_code(native::wire_code(*p.error));
        pm->add_replicas(config_.node_id);
      } else {
        // A partition with no replica here is not an error for metadata: its leader is elsewhere.
        if (p.error && p.error->code != errc::not_leader_or_follower) {
          pm->set_error_code(native::wire_code(*p.error));
        }
        for (int32_t r : p.replicas) pm->add_replicas(r);
      }
    }
  }
  respond(native::encode(ApiKey::metadata, frame.header.correlation_id, resp));
}

void NativeHandler::handle_raft_messages(const protocol::FrameView& frame, Respond& respond) {
  if (controller_ == nullptr) {
    respond(native::encode_error(frame.header.correlation_id,
                                 make_error(errc::invalid_request, "this node is not part of a cluster")));
    return;
  }
  auto messages = decode_raft_messages(frame);
  if (!messages) {
    respond(native::encode_error(frame.header.correlation_id, messages.error()));
    return;
  }
  for (const auto& hint : decode_leader_hints(frame)) manager_.note_leader_hint(hint);
  for (const auto& m : *messages) {
    if (m.message.to != NodeId{config_.node_id}) continue;
    transport_->note_heard(m.message.from);
    if (m.group.is_controller()) {
      controller_->step(m.message);
    } else {
      manager_.step(m.group, m.message);
    }
  }
  respond(Buffer{});  // one-way: no response
}

}  // namespace millrace::broker
