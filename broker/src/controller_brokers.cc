// Controller: brokers (registration, heartbeats, fencing, learners of the controller group) and producer id
// blocks. docs/replication.md, "Brokers", describes the rules.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "cluster.pb.h"
#include "millrace/broker/controller.h"
#include "millrace/broker/native_handler.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::errc;

namespace {

// Value: "<next producer id> <end offset of the last allocation applied>".
constexpr std::string_view kNextProducerIdKey = "controller/next_producer_id";
constexpr int64_t kProducerIdBlockIds = 1000;
constexpr uint64_t kLearnerCheckEveryTicks = 10;
constexpr int kRequestIdNodeShift = 40;

bool same_registration(const BrokerRecord& record, const wire::BrokerHeartbeatRequest& request) {
  return record.address.host == request.host() && record.address.port == request.port() &&
         record.rack == request.rack();
}

template <class Response>
void set_error(Response& response, const Error& error) {
  response.set_error_code(native::wire_code(error));
  response.set_error_message(error.message);
}

}  // namespace

Status Controller::open_brokers() {
  if (Status st = brokers_.load(); !st) return st;
  for (const auto& [id, b] : brokers_.all()) transport_.add_peer(PeerAddress{id, b.address});
  auto stored = store_.get(kNextProducerIdKey);
  if (!stored) return std::move(stored).error();
  if (stored->has_value()) {
    const std::string& text = **stored;
    const auto space = text.find(' ');
    if (space == std::string::npos) {
      return make_error(errc::kafka_storage_error, "unreadable '" + std::string(kNextProducerIdKey) + "'");
    }
    next_producer_id_ = std::stoll(text.substr(0, space));
    producer_ids_applied_ = Offset{std::stoll(text.substr(space + 1))};
  }
  return {};
}

bool Controller::is_broker_command(const wire::ControllerCommand& command) const {
  switch (command.command_case()) {
    case wire::ControllerCommand::kRegisterBroker:
    case wire::ControllerCommand::kFenceBroker:
    case wire::ControllerCommand::kUnfenceBroker:
    case wire::ControllerCommand::kAllocateProducerIdBlock:
      return true;
    default:
      return false;
  }
}

Status Controller::apply_broker_command(const wire::ControllerCommand& command, Offset offset) {
  switch (command.command_case()) {
    case wire::ControllerCommand::kRegisterBroker: {
      const auto& c = command.register_broker();
      BrokerRecord record{c.node_id(), HostPort{c.host(), static_cast<uint16_t>(c.port())}, c.rack(), false};
      if (Status st = brokers_.register_broker(record); !st) return st;
      transport_.add_peer(PeerAddress{record.node_id, record.address});
      spdlog::info("controller: broker {} registered at {}{}", record.node_id, record.address.to_string(),
                   record.rack.empty() ? "" : " in rack " + record.rack);
      return {};
    }
    case wire::ControllerCommand::kFenceBroker:
      spdlog::warn("controller: broker {} fenced (no heartbeat for {} ms)", command.fence_broker().node_id(),
                   config_.broker_session_timeout_ms);
      return brokers_.set_fenced(command.fence_broker().node_id(), true);
    case wire::ControllerCommand::kUnfenceBroker:
      spdlog::info("controller: broker {} unfenced", command.unfence_broker().node_id());
      return brokers_.set_fenced(command.unfence_broker().node_id(), false);
    case wire::ControllerCommand::kAllocateProducerIdBlock: {
      if (offset < producer_ids_applied_) return {};  // a replay: the block was taken already
      const auto& c = command.allocate_producer_id_block();
      const int64_t start = next_producer_id_;
      next_producer_id_ += c.block_size();
      producer_ids_applied_ = next(offset);
      const std::string value =
          std::to_string(next_producer_id_) + " " + std::to_string(producer_ids_applied_.value);
      if (Status st = store_.put(kNextProducerIdKey, value); !st) {
        return make_error(errc::kafka_storage_error,
                          "cannot record the next producer id: " + st.error().to_string());
      }
      if (auto it = allocated_blocks_.find(c.request_id()); it != allocated_blocks_.end()) it->second = start;
      return {};
    }
    default:
      return make_error(errc::invalid_request, "not a broker command");
  }
}

std::vector<PlacementBroker> Controller::placement_candidates() const {
  const auto window = std::chrono::milliseconds(std::max<int64_t>(3 * config_.election_timeout_ms, 1500));
  const auto session = std::chrono::milliseconds(config_.broker_session_timeout_ms);
  const auto now = std::chrono::steady_clock::now();
  std::vector<PlacementBroker> out;
  for (const auto& [id, b] : brokers_.all()) {
    if (b.fenced) continue;
    auto heard = heartbeats_.find(id);
    const bool heartbeating = heard != heartbeats_.end() && now - heard->second <= session;
    if (transport_.alive(NodeId{id}, window) || heartbeating) out.push_back(PlacementBroker{id, b.rack});
  }
  return out;
}

void Controller::propose_broker_change(int32_t node, const wire::ControllerCommand& command) {
  if (!broker_changes_in_flight_.insert(node).second) return;
  propose(command, [this, node](Status st) {
    broker_changes_in_flight_.erase(node);
    if (!st) spdlog::debug("controller: broker {} change not committed: {}", node, st.error().to_string());
  });
}

void Controller::broker_heartbeat(const wire::BrokerHeartbeatRequest& request, HeartbeatDone done) {
  wire::BrokerHeartbeatResponse response;
  if (Status st = check_leader(); !st) {
    set_error(response, st.error());
    const auto l = leader();
    response.set_controller_id(l ? l->value : -1);
    return done(response);
  }
  response.set_controller_id(config_.node_id);
  const int32_t node = request.node_id();
  if (request.host().empty() || request.port() <= 0 || request.port() > 65535) {
    set_error(response, make_error(errc::invalid_request, "a heartbeat needs the broker's address"));
    return done(response);
  }
  heartbeats_[node] = std::chrono::steady_clock::now();
  const BrokerRecord* record = brokers_.find(node);
  if (record == nullptr || !same_registration(*record, request)) {
    wire::ControllerCommand command;
    auto* c = command.mutable_register_broker();
    c->set_node_id(node);
    c->set_host(request.host());
    c->set_port(request.port());
    c->set_rack(request.rack());
    propose_broker_change(node, command);
  } else if (record->fenced) {
    wire::ControllerCommand command;
    command.mutable_unfence_broker()->set_node_id(node);
    propose_broker_change(node, command);
  }
  response.set_registered(record != nullptr && same_registration(*record, request));
  response.set_fenced(record != nullptr && record->fenced);
  done(response);
}

void Controller::allocate_producer_ids(int32_t node, ProducerIdsDone done) {
  if (Status st = check_leader(); !st) {
    wire::AllocateProducerIdsResponse response;
    set_error(response, st.error());
    const auto l = leader();
    response.set_controller_id(l ? l->value : -1);
    return done(response);
  }
  const uint64_t request_id =
      (static_cast<uint64_t>(config_.node_id) << kRequestIdNodeShift) | next_request_id_++;
  allocated_blocks_[request_id] = -1;
  wire::ControllerCommand command;
  auto* c = command.mutable_allocate_producer_id_block();
  c->set_node_id(node);
  c->set_block_size(kProducerIdBlockIds);
  c->set_request_id(request_id);
  propose(command, [this, request_id, done](Status st) {
    wire::AllocateProducerIdsResponse response;
    response.set_controller_id(config_.node_id);
    auto it = allocated_blocks_.find(request_id);
    const int64_t start = it == allocated_blocks_.end() ? -1 : it->second;
    if (it != allocated_blocks_.end()) allocated_blocks_.erase(it);
    if (!st) {
      set_error(response, st.error());
    } else if (start < 0) {
      set_error(response, make_error(errc::not_controller, "the allocation was not applied here"));
    } else {
      response.set_producer_id_start(start);
      response.set_producer_id_len(static_cast<int32_t>(kProducerIdBlockIds));
    }
    done(response);
  });
}

void Controller::tick_brokers() {
  const bool leader = is_leader();
  const auto now = std::chrono::steady_clock::now();
  if (!leader) {
    was_leader_ = false;
    return;
  }
  if (!was_leader_) {
    // A new leader has heard no heartbeats yet: every broker gets a full session timeout from now.
    was_leader_ = true;
    leader_since_ = now;
    heartbeats_.clear();
  }
  const auto session = std::chrono::milliseconds(config_.broker_session_timeout_ms);
  for (const auto& [id, b] : brokers_.all()) {
    if (b.fenced || id == config_.node_id) continue;
    auto heard = heartbeats_.find(id);
    const auto last = heard == heartbeats_.end() ? leader_since_ : std::max(heard->second, leader_since_);
    if (now - last > session) {
      wire::ControllerCommand command;
      command.mutable_fence_broker()->set_node_id(id);
      propose_broker_change(id, command);
    }
  }
  if (++broker_ticks_ % kLearnerCheckEveryTicks != 0) return;
  // Registered brokers outside the controller group join it as learners, one change at a time.
  const auto& configuration = partition_->replica()->node().configuration();
  for (const auto& [id, b] : brokers_.all()) {
    if (b.fenced || configuration.contains(NodeId{id})) continue;
    auto proposed = partition_->change_configuration(
        replication::ConfigChange{replication::ConfigChangeKind::add_learner, NodeId{id}});
    if (proposed) {
      spdlog::info("controller: broker {} joins the controller group as a learner", id);
    } else {
      spdlog::debug("controller: adding broker {} as a learner: {}", id, proposed.error().to_string());
    }
    break;
  }
}

}  // namespace millrace::broker
