#pragma once
// The native protocol's encoding of Raft messages between brokers (ApiKey::raft_messages, one-way): a
// RaftMessages protobuf body (cluster.proto) and, in the payload, every AppendRequest entry's batch bytes in
// order. docs/protocol.md shows the layout.
#include <optional>
#include <vector>

#include "millrace/broker/raft_group_id.h"
#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame.h"
#include "millrace/protocol/result.h"
#include "millrace/replication/configuration.h"
#include "millrace/replication/message.h"

namespace millrace::broker {

struct AddressedMessage {
  RaftGroupId group;
  replication::Message message;
};

// A partition's leader as its leader announces it (see LeaderHint in cluster.proto).
struct LeaderHint {
  RaftGroupId group;
  int32_t term = 0;
  NodeId leader{-1};
  // The group's configuration as the leader has it, if committed (partition_manager_reassign.cc).
  std::optional<replication::Configuration> configuration;
};

// One whole frame carrying `hints` and no Raft message.
Buffer encode_leader_hints(const std::vector<LeaderHint>& hints);
// The leader hints of a raft_messages frame (empty if it has none or its body does not parse).
std::vector<LeaderHint> decode_leader_hints(const protocol::FrameView& frame);

// One whole frame carrying `messages` (correlation id 0: nobody answers).
Buffer encode_raft_messages(const std::vector<AddressedMessage>& messages);

// Decodes a raft_messages frame. invalid_request if the body or payload does not add up.
Result<std::vector<AddressedMessage>> decode_raft_messages(const protocol::FrameView& frame);

}  // namespace millrace::broker
