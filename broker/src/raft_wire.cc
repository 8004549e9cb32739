#include "millrace/broker/raft_wire.h"

#include <algorithm>
#include <limits>
#include <type_traits>

#include "cluster.pb.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch.h"

namespace millrace::broker {

using protocol::errc;
using namespace replication;

namespace {

enum MessageType : int32_t {
  kVoteRequest = 1,
  kVoteResponse = 2,
  kAppendRequest = 3,
  kAppendResponse = 4,
  kSnapshotRequest = 5,
  kSnapshotResponse = 6,
  kTimeoutNow = 7,
};

// Fills the type-specific fields of `out`; appends entry batches to `payload`.
void encode_body(const MessageBody& body, wire::RaftMessage& out, Buffer& payload) {
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        out.set_term(m.term.value);
        if constexpr (std::is_same_v<T, VoteRequest>) {
          out.set_type(kVoteRequest);
          out.set_log_end(m.log_end.value);
          out.set_last_term(m.last_term.value);
          out.set_pre_vote(m.pre_vote);
          out.set_leadership_transfer(m.leadership_transfer);
        } else if constexpr (std::is_same_v<T, VoteResponse>) {
          out.set_type(kVoteResponse);
          out.set_pre_vote(m.pre_vote);
          out.set_granted(m.granted);
        } else if constexpr (std::is_same_v<T, AppendRequest>) {
          out.set_type(kAppendRequest);
          out.set_start(m.start.value);
          out.set_prev_term(m.prev_term.value);
          out.set_commit_end(m.commit_end.value);
          for (const Entry& e : m.entries) {
            out.add_entry_bytes(static_cast<uint32_t>(e.batch.size()));
            payload.insert(payload.end(), e.batch.begin(), e.batch.end());
          }
        } else if constexpr (std::is_same_v<T, AppendResponse>) {
          out.set_type(kAppendResponse);
          out.set_start(m.start.value);
          out.set_success(m.success);
          out.set_match_end(m.match_end.value);
          out.set_durable_end(m.durable_end.value);
          out.set_hint(m.hint.value);
        } else if constexpr (std::is_same_v<T, SnapshotRequest>) {
          out.set_type(kSnapshotRequest);
          out.set_start(m.start.value);
          out.set_prev_term(m.prev_term.value);
          const Buffer config = m.configuration.encode();
          out.set_configuration(config.data(), config.size());
        } else if constexpr (std::is_same_v<T, SnapshotResponse>) {
          out.set_type(kSnapshotResponse);
          out.set_start(m.start.value);
        } else {
          static_assert(std::is_same_v<T, TimeoutNow>);
          out.set_type(kTimeoutNow);
        }
      },
      body);
}

Error bad(const std::string& why) {
  return make_error(errc::invalid_request, "raft message: " + why);
}

// Decodes the type-specific fields; consumes entry batches from `payload` at `pos`.
Result<MessageBody> decode_body(const wire::RaftMessage& in, ByteView payload, size_t& pos) {
  const Term term{in.term()};
  switch (in.type()) {
    case kVoteRequest:
      return MessageBody{VoteRequest{term, Offset{in.log_end()}, Term{in.last_term()}, in.pre_vote(),
                                     in.leadership_transfer()}};
    case kVoteResponse:
      return MessageBody{VoteResponse{term, in.pre_vote(), in.granted()}};
    case kAppendRequest: {
      AppendRequest req{term, Offset{in.start()}, Term{in.prev_term()}, Offset{in.commit_end()}, {}};
      for (uint32_t size : in.entry_bytes()) {
        if (size > payload.size() - pos) return bad("entry sizes exceed the payload");
        Buffer batch(payload.begin() + static_cast<std::ptrdiff_t>(pos),
                     payload.begin() + static_cast<std::ptrdiff_t>(pos + size));
        pos += size;
        // Never store bytes that fail their CRC: a follower checks every batch it is sent.
        if (auto valid = protocol::validate_batches(batch, std::numeric_limits<int64_t>::max()); !valid) {
          return bad("entry fails validation: " + valid.error().message);
        }
        auto entry = Entry::from_batch(std::move(batch));
        if (!entry) return bad("bad entry: " + entry.error().message);
        req.entries.push_back(std::move(*entry));
      }
      return MessageBody{std::move(req)};
    }
    case kAppendResponse:
      return MessageBody{AppendResponse{term, Offset{in.start()}, in.success(), Offset{in.match_end()},
                                        Offset{in.durable_end()}, Offset{in.hint()}}};
    case kSnapshotRequest: {
      const std::string& bytes = in.configuration();
      auto config = Configuration::decode(ByteView(bytes.data(), bytes.size()));
      if (!config) return bad("bad configuration: " + config.error().message);
      return MessageBody{SnapshotRequest{term, Offset{in.start()}, Term{in.prev_term()}, std::move(*config)}};
    }
    case kSnapshotResponse:
      return MessageBody{SnapshotResponse{term, Offset{in.start()}}};
    case kTimeoutNow:
      return MessageBody{TimeoutNow{term}};
    default:
      return bad("unknown type " + std::to_string(in.type()));
  }
}

}  // namespace

Buffer encode_raft_messages(const std::vector<AddressedMessage>& messages) {
  wire::RaftMessages body;
  Buffer payload;
  for (const auto& m : messages) {
    wire::RaftMessage* out = body.add_messages();
    out->set_topic(m.group.topic);
    out->set_partition(m.group.partition);
    out->set_from(m.message.from.value);
    out->set_to(m.message.to.value);
    encode_body(m.message.body, *out, payload);
  }
  Buffer frame;
  protocol::append_frame(frame, protocol::ApiKey::raft_messages, 0, body, payload);
  return frame;
}

Buffer encode_leader_hints(const std::vector<LeaderHint>& hints) {
  wire::RaftMessages body;
  for (const auto& h : hints) {
    auto* out = body.add_leader_hints();
    out->set_topic(h.group.topic);
    out->set_partition(h.group.partition);
    out->set_term(h.term);
    out->set_leader(h.leader.value);
    if (h.configuration) {
      for (NodeId n : h.configuration->voters) out->add_voters(n.value);
      for (NodeId n : h.configuration->learners) out->add_learners(n.value);
    }
  }
  Buffer frame;
  protocol::append_frame(frame, protocol::ApiKey::raft_messages, 0, body, {});
  return frame;
}

std::vector<LeaderHint> decode_leader_hints(const protocol::FrameView& frame) {
  wire::RaftMessages body;
  std::vector<LeaderHint> out;
  if (!body.ParseFromArray(frame.body.data(), static_cast<int>(frame.body.size()))) return out;
  for (const auto& h : body.leader_hints()) {
    LeaderHint hint{RaftGroupId{h.topic(), h.partition()}, h.term(), NodeId{h.leader()}, std::nullopt};
    if (h.voters_size() > 0) {
      replication::Configuration c;
      for (int32_t n : h.voters()) c.voters.push_back(NodeId{n});
      for (int32_t n : h.learners()) c.learners.push_back(NodeId{n});
      std::sort(c.voters.begin(), c.voters.end());
      std::sort(c.learners.begin(), c.learners.end());
      hint.configuration = std::move(c);
    }
    out.push_back(std::move(hint));
  }
  return out;
}

Result<std::vector<AddressedMessage>> decode_raft_messages(const protocol::FrameView& frame) {
  wire::RaftMessages body;
  if (!body.ParseFromArray(frame.body.data(), static_cast<int>(frame.body.size()))) {
    return bad("body is not a RaftMessages");
  }
  std::vector<AddressedMessage> out;
  out.reserve(static_cast<size_t>(body.messages_size()));
  size_t pos = 0;
  for (const auto& in : body.messages()) {
    auto decoded = decode_body(in, frame.payload, pos);
    if (!decoded) return std::move(decoded).error();
    out.push_back({RaftGroupId{in.topic(), in.partition()},
                   Message{NodeId{in.from()}, NodeId{in.to()}, std::move(*decoded)}});
  }
  if (pos != frame.payload.size()) return bad("payload has bytes no entry claims");
  return out;
}

}  // namespace millrace::broker
