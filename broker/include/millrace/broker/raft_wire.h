#pragma once
// The native protocol's encoding of Raft messages between brokers (ApiKey::raft_messages, one-way): a
// RaftMessages protobuf body (cluster.proto) and, in the payload, every AppendRequest entry's batch bytes in
// order. docs/protocol.md shows the layout.
#include <vector>

#include "millrace/broker/raft_group_id.h"
#include "millrace/protocol/bytes.h"
#include "millrace/protocol/frame.h"
#include "millrace/protocol/result.h"
#include "millrace/replication/message.h"

namespace millrace::broker {

struct AddressedMessage {
  RaftGroupId group;
  replication::Message message;
};

// One whole frame carrying `messages` (correlation id 0: nobody answers).
Buffer encode_raft_messages(const std::vector<AddressedMessage>& messages);

// Decodes a raft_messages frame. invalid_request if the body or payload does not add up.
Result<std::vector<AddressedMessage>> decode_raft_messages(const protocol::FrameView& frame);

}  // namespace millrace::broker
