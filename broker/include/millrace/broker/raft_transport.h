#pragma once
// RaftTransport: carries Raft messages to the other brokers of the cluster over the native protocol
// (ApiKey::raft_messages, one-way frames). One outgoing connection per peer, opened lazily and reopened with
// a backoff after any failure. Messages sent during one turn of the io_context are coalesced into one frame
// per peer. Delivery is best effort — Raft tolerates loss, duplication and reordering; a link whose queue is
// full drops new messages rather than grow without bound.
//
// It also keeps when each peer was last heard from (note_heard, called for every inbound frame), which is
// this node's view of broker liveness.
//
// Thread-safety: network thread only.
#include <chrono>
#include <map>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "millrace/broker/broker_config.h"
#include "millrace/broker/raft_wire.h"

namespace millrace::broker {

class PeerLink;

// Bytes of encoded frames one link may queue before it drops new messages.
constexpr size_t kPeerLinkMaxQueuedBytes = 64 * 1024 * 1024;

class RaftTransport {
 public:
  RaftTransport(boost::asio::io_context& io, NodeId self, const std::vector<PeerAddress>& peers);
  ~RaftTransport();
  RaftTransport(const RaftTransport&) = delete;
  RaftTransport& operator=(const RaftTransport&) = delete;

  // Queues `message` for message.to (ignored if that node is unknown or is this node).
  void send(const RaftGroupId& group, replication::Message message);
  // Adds a broker beyond the initial peers (learned from its registration); a known node keeps its address.
  void add_peer(const PeerAddress& peer);
  // Sends `hints` to every peer (best effort, like everything here).
  void broadcast(const std::vector<LeaderHint>& hints);
  // Records that `node` was heard from now.
  void note_heard(NodeId node);
  // Whether `node` was heard from within `window` (this node: always).
  bool alive(NodeId node, std::chrono::milliseconds window) const;
  // Closes every link; later sends are dropped.
  void stop();

  NodeId self() const { return self_; }
  const std::vector<PeerAddress>& peers() const { return peers_; }

 private:
  void flush();

  boost::asio::io_context& io_;
  NodeId self_;
  std::vector<PeerAddress> peers_;
  std::map<int32_t, std::shared_ptr<PeerLink>> links_;
  std::map<int32_t, std::vector<AddressedMessage>> pending_;
  std::map<int32_t, std::chrono::steady_clock::time_point> heard_;
  bool flush_posted_ = false;
  bool stopped_ = false;
};

}  // namespace millrace::broker
