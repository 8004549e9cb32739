// NativeHandler: broker-to-controller requests (broker_heartbeat, allocate_producer_ids) and the broker list
// of metadata responses.
#include <algorithm>

#include "cluster.pb.h"
#include "millrace.pb.h"
#include "millrace/broker/controller.h"
#include "millrace/broker/native_handler.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::ApiKey;
using protocol::errc;

namespace {

Buffer not_in_cluster(uint32_t correlation_id) {
  return native::encode_error(correlation_id,
                              make_error(errc::invalid_request, "this node is not part of a cluster"));
}

}  // namespace

void NativeHandler::handle_broker_heartbeat(const protocol::FrameView& frame, Respond& respond) {
  if (controller_ == nullptr) return respond(not_in_cluster(frame.header.correlation_id));
  wire::BrokerHeartbeatRequest req;
  if (!native::parse_body(frame, req)) {
    return respond(native::encode_error(frame.header.correlation_id,
                                        make_error(errc::invalid_request, "malformed broker heartbeat")));
  }
  controller_->broker_heartbeat(
      req, [respond, id = frame.header.correlation_id](const wire::BrokerHeartbeatResponse& resp) {
        respond(native::encode(ApiKey::broker_heartbeat, id, resp));
      });
}

void NativeHandler::handle_allocate_producer_ids(const protocol::FrameView& frame, Respond& respond) {
  if (controller_ == nullptr) return respond(not_in_cluster(frame.header.correlation_id));
  wire::AllocateProducerIdsRequest req;
  if (!native::parse_body(frame, req)) {
    return respond(native::encode_error(
        frame.header.correlation_id, make_error(errc::invalid_request, "malformed allocate producer ids")));
  }
  controller_->allocate_producer_ids(req.node_id(), [respond, id = frame.header.correlation_id](
                                                        const wire::AllocateProducerIdsResponse& resp) {
    respond(native::encode(ApiKey::allocate_producer_ids, id, resp));
  });
}

void NativeHandler::describe_brokers(wire::MetadataResponse& resp) const {
  if (controller_ == nullptr) {
    auto* broker = resp.add_brokers();
    broker->set_node_id(config_.node_id);
    broker->set_host(advertised_.host);
    broker->set_port(advertised_.port);
    broker->set_alive(true);
    broker->set_rack(config_.rack);
    resp.set_controller_id(config_.node_id);
    resp.set_cluster_id("millrace-single-node");
    return;
  }
  // Registered brokers as committed: unfenced ones for clients, fenced ones apart. Initial voters that have
  // not registered yet are listed (not alive) so clients can still reach them.
  // A broker among this node's peers is given at its peers address (where this node reaches it, as before
  // registration existed: the fault test's proxies rely on it); others at their registered address.
  auto address_of = [this](int32_t id, const HostPort& registered) -> const HostPort& {
    if (id == config_.node_id) return advertised_;
    for (const auto& peer : config_.peers) {
      if (peer.node_id == id) return peer.address;
    }
    return registered;
  };
  const auto& registered = controller_->brokers().all();
  for (const auto& [id, b] : registered) {
    auto* broker = b.fenced ? resp.add_fenced_brokers() : resp.add_brokers();
    const HostPort& address = address_of(id, b.address);
    broker->set_node_id(id);
    broker->set_host(address.host);
    broker->set_port(address.port);
    broker->set_alive(!b.fenced);
    broker->set_rack(b.rack);
    broker->set_fenced(b.fenced);
  }
  for (const auto& peer : config_.peers) {
    if (registered.count(peer.node_id) > 0) continue;
    auto* broker = resp.add_brokers();
    const HostPort& address = peer.node_id == config_.node_id ? advertised_ : peer.address;
    broker->set_node_id(peer.node_id);
    broker->set_host(address.host);
    broker->set_port(address.port);
    broker->set_alive(false);
  }
  const auto leader = controller_->leader();
  resp.set_controller_id(leader ? leader->value : -1);
  resp.set_cluster_id("millrace");
}

}  // namespace millrace::broker
