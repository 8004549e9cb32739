// NativeHandler: topic administration requests.
#include <memory>

#include "cluster.pb.h"
#include "millrace.pb.h"
#include "millrace/broker/controller.h"
#include "millrace/broker/native_handler.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::ApiKey;
using protocol::errc;

namespace {

void set_result(wire::TopicResult* result, const std::string& name, const Status& status) {
  result->set_name(name);
  if (!status) {
    result->set_error_code(native::wire_code(status.error()));
    result->set_error_message(status.error().message);
  }
}

Buffer malformed(uint32_t correlation_id, const char* what) {
  return native::encode_error(correlation_id,
                              make_error(errc::invalid_request, std::string("malformed ") + what));
}

// Collects the results of several controller operations into one response, sent when the last completes.
template <class Response>
struct Gather {
  Response response;
  size_t outstanding = 0;
  std::function<void(const Response&)> send;
  void finish_one() {
    if (--outstanding == 0) send(response);
  }
};

}  // namespace

void NativeHandler::handle_create_topics(const protocol::FrameView& frame, Respond& respond) {
  wire::CreateTopicsRequest req;
  if (!native::parse_body(frame, req))
    return respond(malformed(frame.header.correlation_id, "create request"));
  if (controller_ != nullptr) {
    auto gather = std::make_shared<Gather<wire::CreateTopicsResponse>>();
    gather->outstanding = static_cast<size_t>(req.topics_size()) + 1;
    gather->send = [respond, id = frame.header.correlation_id](const wire::CreateTopicsResponse& r) {
      respond(native::encode(ApiKey::create_topics, id, r));
    };
    for (const auto& spec : req.topics()) {
      TopicSpecInput input{spec.name(), spec.partitions(),
                           TopicConfigOverrides(spec.configs().begin(), spec.configs().end())};
      if (spec.partitions() < 0) input.partitions = -1;
      auto* result = gather->response.add_results();
      controller_->create_topic(input, spec.replication_factor(),
                                [gather, result, name = spec.name()](Status st) {
                                  set_result(result, name, st);
                                  gather->finish_one();
                                });
    }
    gather->finish_one();
    return;
  }
  wire::CreateTopicsResponse resp;
  for (const auto& spec : req.topics()) {
    Status st;
    if (spec.replication_factor() > 1) {
      st = make_error(errc::invalid_replication_factor, "replication factor " +
                                                            std::to_string(spec.replication_factor()) +
                                                            " is larger than the number of live nodes (1)");
    } else {
      TopicSpecInput input{spec.name(), spec.partitions(),
                           TopicConfigOverrides(spec.configs().begin(), spec.configs().end())};
      if (spec.partitions() < 0) input.partitions = -1;  // refused by the core with a clear message
      st = manager_.create_topic(input);
    }
    set_result(resp.add_results(), spec.name(), st);
  }
  respond(native::encode(ApiKey::create_topics, frame.header.correlation_id, resp));
}

void NativeHandler::handle_delete_topics(const protocol::FrameView& frame, Respond& respond) {
  wire::DeleteTopicsRequest req;
  if (!native::parse_body(frame, req))
    return respond(malformed(frame.header.correlation_id, "delete request"));
  if (controller_ != nullptr) {
    auto gather = std::make_shared<Gather<wire::DeleteTopicsResponse>>();
    gather->outstanding = static_cast<size_t>(req.names_size()) + 1;
    gather->send = [respond, id = frame.header.correlation_id](const wire::DeleteTopicsResponse& r) {
      respond(native::encode(ApiKey::delete_topics, id, r));
    };
    for (const auto& name : req.names()) {
      auto* result = gather->response.add_results();
      controller_->delete_topic(name, [gather, result, name](Status st) {
        set_result(result, name, st);
        gather->finish_one();
      });
    }
    gather->finish_one();
    return;
  }
  wire::DeleteTopicsResponse resp;
  for (const auto& name : req.names()) set_result(resp.add_results(), name, manager_.delete_topic(name));
  respond(native::encode(ApiKey::delete_topics, frame.header.correlation_id, resp));
}

void NativeHandler::handle_list_topics(const protocol::FrameView& frame, Respond& respond) {
  wire::ListTopicsRequest req;
  if (!native::parse_body(frame, req)) return respond(malformed(frame.header.correlation_id, "list request"));
  wire::ListTopicsResponse resp;
  for (const auto& t : manager_.list_topics()) {
    auto* summary = resp.add_topics();
    summary->set_name(t.name);
    summary->set_partitions(t.partitions);
    summary->set_replication_factor(t.assignments.empty() ? 1
                                                          : static_cast<int32_t>(t.assignments[0].size()));
  }
  respond(native::encode(ApiKey::list_topics, frame.header.correlation_id, resp));
}

void NativeHandler::handle_describe_topics(const protocol::FrameView& frame, Respond& respond) {
  wire::DescribeTopicsRequest req;
  if (!native::parse_body(frame, req))
    return respond(malformed(frame.header.correlation_id, "describe request"));
  wire::DescribeTopicsResponse resp;
  for (const auto& name : req.names()) {
    auto* desc = resp.add_topics();
    desc->set_name(name);
    auto state = manager_.describe_topic(name);
    if (!state) {
      desc->set_error_code(native::wire_code(state.error()));
      desc->set_error_message(state.error().message);
      continue;
    }
    for (const auto& p : state->partitions) {
      auto* pd = desc->add_partitions();
      pd->set_partition(p.id.value);
      pd->set_leader(p.leader);
      if (p.replicas.empty()) {
        pd->add_replicas(config_.node_id);
      } else {
        for (int32_t r : p.replicas) pd->add_replicas(r);
      }
      for (int32_t r : p.in_sync_replicas) pd->add_in_sync_replicas(r);
      for (int32_t r : p.adding_replicas) pd->add_adding_replicas(r);
      for (int32_t r : p.removing_replicas) pd->add_removing_replicas(r);
      pd->set_log_start_offset(p.log_start_offset.value);
      pd->set_log_end_offset(p.log_end_offset.value);
      pd->set_high_watermark(p.high_watermark.value);
      pd->set_size_bytes(p.size_bytes);
      pd->set_segment_count(p.segment_count);
      if (const auto& e = p.error ? p.error : p.write_error) {
        pd->set_error_code(native::wire_code(*e));
        pd->set_error_message(e->message);
      }
    }
    for (const auto& c : state->configs) {
      auto* entry = desc->add_configs();
      entry->set_name(c.name);
      entry->set_value(c.value);
      entry->set_source(c.source);
    }
  }
  respond(native::encode(ApiKey::describe_topics, frame.header.correlation_id, resp));
}

void NativeHandler::handle_alter_topic_config(const protocol::FrameView& frame, Respond& respond) {
  wire::AlterTopicConfigRequest req;
  if (!native::parse_body(frame, req))
    return respond(malformed(frame.header.correlation_id, "alter request"));
  const TopicConfigOverrides set(req.set().begin(), req.set().end());
  const std::vector<std::string> remove(req.remove().begin(), req.remove().end());
  if (controller_ != nullptr) {
    controller_->alter_topic_config(
        req.topic(), set, remove, req.validate_only(),
        [respond, id = frame.header.correlation_id, topic = req.topic()](Status st) {
          wire::AlterTopicConfigResponse resp;
          set_result(resp.mutable_result(), topic, st);
          respond(native::encode(ApiKey::alter_topic_config, id, resp));
        });
    return;
  }
  wire::AlterTopicConfigResponse resp;
  set_result(resp.mutable_result(), req.topic(),
             manager_.alter_topic_config(req.topic(), set, remove, req.validate_only()));
  respond(native::encode(ApiKey::alter_topic_config, frame.header.correlation_id, resp));
}

void NativeHandler::handle_create_partitions(const protocol::FrameView& frame, Respond& respond) {
  wire::CreatePartitionsRequest req;
  if (!native::parse_body(frame, req))
    return respond(malformed(frame.header.correlation_id, "create partitions"));
  auto answer = [respond, id = frame.header.correlation_id](const Status& st) {
    wire::CreatePartitionsResponse resp;
    if (!st) {
      resp.set_error_code(native::wire_code(st.error()));
      resp.set_error_message(st.error().message);
    }
    respond(native::encode(ApiKey::create_partitions, id, resp));
  };
  if (controller_ != nullptr) {
    controller_->add_partitions(req.topic(), req.total_partitions(), answer);
    return;
  }
  answer(manager_.add_partitions(req.topic(), req.total_partitions()));
}

void NativeHandler::handle_transfer_leadership(const protocol::FrameView& frame, Respond& respond) {
  wire::TransferLeadershipRequest req;
  if (!native::parse_body(frame, req)) return respond(malformed(frame.header.correlation_id, "transfer"));
  const Status st = manager_.transfer_leadership(req.topic(), req.partition(), NodeId{req.target()});
  wire::TransferLeadershipResponse resp;
  if (!st) {
    resp.set_error_code(native::wire_code(st.error()));
    resp.set_error_message(st.error().message);
  }
  respond(native::encode(ApiKey::transfer_leadership, frame.header.correlation_id, resp));
}

}  // namespace millrace::broker
