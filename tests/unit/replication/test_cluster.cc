#include "test_cluster.h"

#include <catch2/catch.hpp>

#include "millrace/protocol/record_batch_builder.h"

namespace millrace::replication::test {

Buffer data_batch(const std::string& tag, int records) {
  protocol::RecordBatchBuilder builder;
  for (int i = 0; i < records; ++i) {
    protocol::Record record;
    record.value = tag + "." + std::to_string(i);
    builder.append(record);
  }
  return builder.build();
}

TestCluster::TestCluster(int nodes, RaftConfig base, int voters) : base_(base) {
  std::vector<NodeId> voter_ids;
  for (int i = 0; i < (voters < 0 ? nodes : voters); ++i) voter_ids.push_back(NodeId{i});
  bootstrap_ = Configuration::of_voters(voter_ids);
  readies_.resize(static_cast<size_t>(nodes));
  sent_.resize(static_cast<size_t>(nodes));
  stores_.resize(static_cast<size_t>(nodes));
  for (int i = 0; i < nodes; ++i) {
    logs_.push_back(std::make_unique<MemoryLog>());
    nodes_.push_back(std::make_unique<RaftNode>(config_for(i), *logs_.back(), HardState{}, bootstrap_));
  }
}

RaftConfig TestCluster::config_for(int i) const {
  RaftConfig config = base_;
  config.self = NodeId{i};
  config.random_seed =
      base_.random_seed * 131 + static_cast<uint64_t>(i) + 1000 * static_cast<uint64_t>(restarts_);
  return config;
}

void TestCluster::drain(int i) {
  RaftNode& raft = node(i);
  while (raft.has_ready()) {
    Ready ready = raft.take_ready();
    if (ready.hard_state) REQUIRE(store(i).save(*ready.hard_state).ok());
    REQUIRE(apply_log_ops(log(i), ready.log_ops).ok());
    for (const Message& message : ready.messages) {
      sent(i).push_back(message);
      in_flight_.push_back(message);
    }
    readies_[static_cast<size_t>(i)].push_back(std::move(ready));
  }
}

void TestCluster::drain_all() {
  for (int i = 0; i < size(); ++i) drain(i);
}

void TestCluster::deliver_all(bool flush) {
  drain_all();
  for (int round = 0; round < 1000 && !in_flight_.empty(); ++round) {
    std::vector<Message> batch = std::exchange(in_flight_, {});
    for (const Message& message : batch) {
      if (cut_.count({message.from.value, message.to.value})) continue;
      node(message.to.value).step(message);
      drain(message.to.value);
    }
    if (flush) flush_all();
  }
  REQUIRE(in_flight_.empty());
}

void TestCluster::flush(int i) {
  log(i).complete_flush(log(i).prepare_flush());
  node(i).on_flushed(log(i).flushed_offset());
  drain(i);
}

void TestCluster::flush_all() {
  for (int i = 0; i < size(); ++i) flush(i);
}

void TestCluster::tick(int i, int times) {
  for (int t = 0; t < times; ++t) {
    node(i).tick();
    drain(i);
  }
}

void TestCluster::tick_all(int times) {
  for (int t = 0; t < times; ++t) {
    for (int i = 0; i < size(); ++i) tick(i);
  }
}

bool TestCluster::elect(int i) {
  node(i).campaign();
  deliver_all();
  return node(i).is_leader();
}

Result<Offset> TestCluster::propose(int i, const std::string& tag, int records) {
  auto offset = node(i).propose(data_batch(tag, records));
  deliver_all();
  return offset;
}

void TestCluster::cut(int a, int b) {
  cut_.insert({a, b});
  cut_.insert({b, a});
}

void TestCluster::isolate(int i) {
  for (int other = 0; other < size(); ++other) {
    if (other != i) cut(i, other);
  }
}

void TestCluster::crash_and_restart(int i) {
  log(i).crash();
  ++restarts_;
  auto hard_state = store(i).load();
  REQUIRE(hard_state.ok());
  nodes_[static_cast<size_t>(i)] = std::make_unique<RaftNode>(config_for(i), log(i), *hard_state, bootstrap_);
}

}  // namespace millrace::replication::test
