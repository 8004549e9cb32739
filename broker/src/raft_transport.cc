#include "millrace/broker/raft_transport.h"

#include <boost/asio/post.hpp>

#include "peer_link.h"

namespace millrace::broker {

RaftTransport::RaftTransport(boost::asio::io_context& io, NodeId self, const std::vector<PeerAddress>& peers)
    : io_(io), self_(self), peers_(peers) {
  for (const auto& p : peers_) {
    if (p.node_id == self_.value) continue;
    links_.emplace(p.node_id, std::make_shared<PeerLink>(io_, p.address, kPeerLinkMaxQueuedBytes));
  }
}

RaftTransport::~RaftTransport() {
  stop();
}

void RaftTransport::send(const RaftGroupId& group, replication::Message message) {
  if (stopped_ || links_.count(message.to.value) == 0) return;
  pending_[message.to.value].push_back({group, std::move(message)});
  if (flush_posted_) return;
  flush_posted_ = true;
  boost::asio::post(io_, [this] { flush(); });
}

void RaftTransport::flush() {
  flush_posted_ = false;
  if (stopped_) return;
  for (auto& [node, messages] : pending_) {
    if (messages.empty()) continue;
    links_.at(node)->send(encode_raft_messages(messages));
    messages.clear();
  }
}

void RaftTransport::add_peer(const PeerAddress& peer) {
  if (stopped_ || peer.node_id == self_.value || links_.count(peer.node_id) > 0) return;
  peers_.push_back(peer);
  links_.emplace(peer.node_id, std::make_shared<PeerLink>(io_, peer.address, kPeerLinkMaxQueuedBytes));
}

void RaftTransport::broadcast(const std::vector<LeaderHint>& hints) {
  if (stopped_ || hints.empty()) return;
  const Buffer frame = encode_leader_hints(hints);
  for (auto& [node, link] : links_) link->send(frame);
}

void RaftTransport::note_heard(NodeId node) {
  heard_[node.value] = std::chrono::steady_clock::now();
}

bool RaftTransport::alive(NodeId node, std::chrono::milliseconds window) const {
  if (node == self_) return true;
  auto it = heard_.find(node.value);
  return it != heard_.end() && std::chrono::steady_clock::now() - it->second <= window;
}

void RaftTransport::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& [node, link] : links_) link->stop();
  pending_.clear();
}

}  // namespace millrace::broker
