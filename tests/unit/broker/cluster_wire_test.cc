// The pieces of cluster mode that need no network: Raft messages on the wire, hard state in the KV store,
// and the --peers syntax.
#include <catch2/catch.hpp>

#include "idempotence_test_support.h"
#include "millrace/broker/config_loader.h"
#include "millrace/broker/kv_hard_state_store.h"
#include "millrace/broker/raft_wire.h"
#include "millrace/protocol/frame.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_builder.h"
#include "millrace/replication/control_batch.h"
#include "millrace/storage/rocksdb_kv_store.h"

using namespace millrace;
using namespace millrace::broker;
using namespace millrace::replication;

namespace {

// A data batch as a leader would have proposed it: base offset and term written.
Entry entry_at(int64_t base, int32_t term, const std::string& value) {
  protocol::RecordBatchBuilder builder;
  protocol::Record record;
  record.value = value;
  builder.append(record);
  Buffer batch = builder.build();
  protocol::set_base_offset(batch, base);
  protocol::set_partition_leader_epoch(batch, term);
  return *Entry::from_batch(std::move(batch));
}

std::vector<AddressedMessage> round_trip(const std::vector<AddressedMessage>& messages) {
  const Buffer frame = encode_raft_messages(messages);
  auto parsed = protocol::parse_frame(frame, 1u << 30);
  REQUIRE(parsed.status == protocol::ParseStatus::complete);
  auto decoded = decode_raft_messages(parsed.frame);
  REQUIRE(decoded.ok());
  return *decoded;
}

}  // namespace

TEST_CASE("every Raft message type survives the wire, entries byte for byte") {
  const RaftGroupId group{"orders", 7};
  AppendRequest append{
      Term{4}, Offset{10}, Term{3}, Offset{9}, {entry_at(10, 4, "a"), entry_at(11, 4, "bb")}};
  std::vector<AddressedMessage> sent = {
      {group, Message{NodeId{1}, NodeId{2}, VoteRequest{Term{5}, Offset{12}, Term{4}, true, true}}},
      {group, Message{NodeId{2}, NodeId{1}, VoteResponse{Term{5}, true, true}}},
      {group, Message{NodeId{1}, NodeId{2}, append}},
      {group, Message{NodeId{2}, NodeId{1},
                      AppendResponse{Term{4}, Offset{10}, true, Offset{12}, Offset{11}, Offset{0}}}},
      {RaftGroupId::controller(), Message{NodeId{0}, NodeId{2},
                                          SnapshotRequest{Term{2}, Offset{100}, Term{1},
                                                          Configuration::of_voters({NodeId{0}, NodeId{2}})}}},
      {group, Message{NodeId{2}, NodeId{0}, SnapshotResponse{Term{2}, Offset{100}}}},
      {group, Message{NodeId{0}, NodeId{1}, TimeoutNow{Term{6}}}},
  };
  const auto received = round_trip(sent);
  REQUIRE(received.size() == sent.size());
  for (size_t i = 0; i < sent.size(); ++i) {
    CHECK(received[i].group == sent[i].group);
    CHECK(received[i].message.from == sent[i].message.from);
    CHECK(received[i].message.to == sent[i].message.to);
    CHECK(received[i].message.type_name() == sent[i].message.type_name());
    CHECK(received[i].message.term() == sent[i].message.term());
  }
  const auto& got = std::get<AppendRequest>(received[2].message.body);
  CHECK(got.start == Offset{10});
  CHECK(got.prev_term == Term{3});
  CHECK(got.commit_end == Offset{9});
  REQUIRE(got.entries.size() == 2);
  CHECK(got.entries[0] == append.entries[0]);
  CHECK(got.entries[1] == append.entries[1]);
  const auto& snapshot = std::get<SnapshotRequest>(received[4].message.body);
  CHECK(snapshot.configuration == Configuration::of_voters({NodeId{0}, NodeId{2}}));
  CHECK(received[4].group.is_controller());
}

TEST_CASE("an entry whose bytes fail their CRC is refused before it reaches a log") {
  AppendRequest append{Term{1}, Offset{0}, Term{0}, Offset{0}, {entry_at(0, 1, "payload")}};
  Buffer frame = encode_raft_messages({{RaftGroupId{"t", 0}, Message{NodeId{0}, NodeId{1}, append}}});
  frame[frame.size() - 2] ^= 0x5A;  // a byte of the record
  auto parsed = protocol::parse_frame(frame, 1u << 30);
  REQUIRE(parsed.status == protocol::ParseStatus::complete);
  auto decoded = decode_raft_messages(parsed.frame);
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(decoded.error().message, Catch::Contains("validation"));
}

TEST_CASE("leader hints travel in the same frame type") {
  replication::Configuration committed;
  committed.voters = {NodeId{0}, NodeId{1}, NodeId{2}};
  committed.learners = {NodeId{3}};
  const Buffer frame = encode_leader_hints(
      {{RaftGroupId{"a", 1}, 7, NodeId{2}, std::nullopt}, {RaftGroupId{"b", 0}, 3, NodeId{0}, committed}});
  auto parsed = protocol::parse_frame(frame, 1u << 30);
  REQUIRE(parsed.status == protocol::ParseStatus::complete);
  const auto hints = decode_leader_hints(parsed.frame);
  REQUIRE(hints.size() == 2);
  CHECK(hints[0].group == RaftGroupId{"a", 1});
  CHECK(hints[0].term == 7);
  CHECK(hints[0].leader == NodeId{2});
  CHECK_FALSE(hints[0].configuration);
  REQUIRE(hints[1].configuration);
  CHECK(*hints[1].configuration == committed);
  auto messages = decode_raft_messages(parsed.frame);
  REQUIRE(messages.ok());
  CHECK(messages->empty());
}

TEST_CASE("hard state survives a reopen of the store, per group") {
  test::TempDir dir;
  {
    auto store = storage::RocksDbKvStore::open(dir.path() / "meta");
    REQUIRE(store.ok());
    KvHardStateStore a(**store, RaftGroupId{"orders", 0});
    KvHardStateStore controller(**store, RaftGroupId::controller());
    CHECK(a.load()->term == Term{0});
    REQUIRE(a.save({Term{9}, NodeId{2}}).ok());
    REQUIRE(controller.save({Term{3}, std::nullopt}).ok());
  }
  auto store = storage::RocksDbKvStore::open(dir.path() / "meta");
  REQUIRE(store.ok());
  KvHardStateStore a(**store, RaftGroupId{"orders", 0});
  KvHardStateStore controller(**store, RaftGroupId::controller());
  CHECK(*a.load() == HardState{Term{9}, NodeId{2}});
  CHECK(*controller.load() == HardState{Term{3}, std::nullopt});
  REQUIRE(a.erase().ok());
  CHECK(*a.load() == HardState{});
}

TEST_CASE("peers are parsed from ID@HOST:PORT lists, with clear errors") {
  auto peers = parse_peers("0@127.0.0.1:9300,1@node-b:9192,2@[::1]:9400");
  REQUIRE(peers.ok());
  REQUIRE(peers->size() == 3);
  CHECK((*peers)[1].node_id == 1);
  CHECK((*peers)[1].address.host == "node-b");
  CHECK((*peers)[2].address.port == 9400);
  CHECK(parse_peers("")->empty());
  CHECK_FALSE(parse_peers("127.0.0.1:9300").ok());
  CHECK_FALSE(parse_peers("0@127.0.0.1:9300,0@127.0.0.1:9301").ok());
  CHECK_FALSE(parse_peers("x@127.0.0.1:9300").ok());
  CHECK_FALSE(parse_peers("0@127.0.0.1:0").ok());

  // A node not among the peers is accepted: it joins as a broker beyond the controller voters.
  BrokerConfig config;
  config.node_id = 5;
  config.peers = *peers;
  CHECK(validate_config(config).ok());
  config.node_id = 1;
  CHECK(validate_config(config).ok());
  config.broker_session_timeout_ms = config.broker_heartbeat_interval_ms;
  auto refused = validate_config(config);
  REQUIRE_FALSE(refused.ok());
  CHECK_THAT(refused.error().message, Catch::Contains("broker_session_timeout_ms"));
}
