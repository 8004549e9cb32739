// produce_consume: the smallest complete use of millrace::client.
//
//   millrace_produce_consume_example [BOOTSTRAP] [TOPIC]     (defaults: localhost:9192, example-events)
//
// It creates TOPIC (3 partitions) if it is missing, produces ten keyed records and waits for their delivery
// reports, then reads them back from the beginning of every partition and prints them. Exit status 0 when all
// ten came back.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "millrace/client/admin.h"
#include "millrace/client/consumer.h"
#include "millrace/client/producer.h"
#include "millrace/protocol/errc.h"

using namespace millrace;
using namespace millrace::client;

namespace {

constexpr int kRecordCount = 10;

int fail(const char* what, const Error& error) {
  std::fprintf(stderr, "%s: %s\n", what, error.to_string().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  ConnectionConfig connection;
  connection.bootstrap = argc > 1 ? argv[1] : std::string(kDefaultBootstrap);
  const std::string topic = argc > 2 ? argv[2] : "example-events";

  // 1. Admin: make sure the topic exists. TOPIC_ALREADY_EXISTS is fine.
  auto admin = Admin::create(connection);
  if (!admin) return fail("admin", admin.error());
  if (auto st = (*admin)->create_topic(topic, 3);
      !st && st.error().code != protocol::errc::topic_already_exists) {
    return fail("create topic", st.error());
  }

  // 2. Producer: send() buffers and returns; the future completes when the broker has the record
  //    (acks=all by default: on disk on a majority of replicas).
  ProducerConfig producer_config;
  producer_config.connection = connection;
  auto producer = Producer::create(producer_config);
  if (!producer) return fail("producer", producer.error());
  std::vector<std::future<DeliveryReport>> reports;
  for (int i = 0; i < kRecordCount; ++i) {
    ProducerRecord record;
    record.topic = topic;
    record.key = "key-" + std::to_string(i);  // the key picks the partition (murmur2, as Kafka)
    record.value = "value-" + std::to_string(i);
    reports.push_back((*producer)->send(std::move(record)));
  }
  for (auto& future : reports) {
    const DeliveryReport report = future.get();
    if (!report.ok()) return fail("delivery", *report.error);
    std::printf("delivered to %s-%d at offset %lld\n", report.topic.c_str(), report.partition.value,
                static_cast<long long>(report.offset.value));
  }
  (*producer)->close();

  // 3. Consumer: assign every partition, start at the beginning, poll until all records came back.
  ConsumerConfig consumer_config;
  consumer_config.connection = connection;
  consumer_config.auto_offset_reset = OffsetReset::earliest;
  auto consumer = Consumer::create(consumer_config);
  if (!consumer) return fail("consumer", consumer.error());
  if (auto st = (*consumer)->assign_topic(topic); !st) return fail("assign", st.error());
  int seen = 0;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen < kRecordCount && std::chrono::steady_clock::now() < give_up) {
    auto records = (*consumer)->poll(std::chrono::milliseconds(500));
    if (!records) return fail("poll", records.error());
    for (const auto& r : *records) {
      std::printf("%s-%d@%lld %s=%s\n", r.topic.c_str(), r.partition.value,
                  static_cast<long long>(r.offset.value), r.key.value_or("(null)").c_str(),
                  r.value.value_or("(null)").c_str());
      ++seen;
    }
  }
  // A topic that existed before may hold older records too: at least kRecordCount came back.
  return seen >= kRecordCount ? 0 : 1;
}
