#pragma once
// consume_all: for integration tests, every record of a topic (all partitions) from the beginning, read with
// a fresh consumer until `expected` records arrived or the deadline passed (the caller checks the count).
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "millrace/client/consumer.h"

namespace millrace::testing {

inline std::vector<client::ConsumerRecord> consume_all(const client::ConnectionConfig& connection,
                                                       const std::string& topic, size_t expected,
                                                       std::chrono::milliseconds deadline) {
  client::ConsumerConfig config;
  config.connection = connection;
  config.auto_offset_reset = client::OffsetReset::earliest;
  config.fetch_max_wait_ms = 100;
  config.retry_backoff_ms = 50;
  auto consumer = client::Consumer::create(config);
  REQUIRE(consumer.ok());
  REQUIRE((*consumer)->assign_topic(topic).ok());
  REQUIRE((*consumer)->seek_to_beginning().ok());
  std::vector<client::ConsumerRecord> records;
  const auto end = std::chrono::steady_clock::now() + deadline;
  while (records.size() < expected && std::chrono::steady_clock::now() < end) {
    auto batch = (*consumer)->poll(std::chrono::milliseconds(200));
    REQUIRE(batch.ok());
    for (auto& r : *batch) records.push_back(std::move(r));
  }
  return records;
}

}  // namespace millrace::testing
