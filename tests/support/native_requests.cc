#include "native_requests.h"

#include <chrono>
#include <stdexcept>

#include "millrace/protocol/record_batch_builder.h"

namespace millrace::testing {

wire::TopicResult create_topic(RawClient& client, const std::string& name, int32_t partitions,
                               const std::map<std::string, std::string>& configs) {
  wire::CreateTopicsRequest req;
  auto* spec = req.add_topics();
  spec->set_name(name);
  spec->set_partitions(partitions);
  for (const auto& [k, v] : configs) (*spec->mutable_configs())[k] = v;
  auto resp = call<wire::CreateTopicsResponse>(client, protocol::ApiKey::create_topics, req);
  return resp.results(0);
}

wire::TopicDescription describe_topic(RawClient& client, const std::string& name) {
  wire::DescribeTopicsRequest req;
  req.add_names(name);
  auto resp = call<wire::DescribeTopicsResponse>(client, protocol::ApiKey::describe_topics, req);
  return resp.topics(0);
}

wire::ProducePartitionResult produce(RawClient& client, const std::string& topic, int32_t partition,
                                     ByteView batches, int32_t acks) {
  wire::ProduceRequest req;
  req.set_acks(acks);
  req.set_timeout_ms(10000);
  auto* p = req.add_partitions();
  p->set_topic(topic);
  p->set_partition(partition);
  p->set_records_bytes(static_cast<uint32_t>(batches.size()));
  auto resp = call<wire::ProduceResponse>(client, protocol::ApiKey::produce, req, batches);
  return resp.results(0);
}

Buffer make_batch(int count, const std::string& prefix) {
  // Timestamps of now, as a producer's: retention.ms and time lookups judge records by them.
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  protocol::RecordBatchBuilder builder;
  for (int i = 0; i < count; ++i) {
    protocol::Record r;
    r.value = prefix + std::to_string(i);
    r.timestamp_ms = now_ms;
    builder.append(r);
  }
  return builder.build();
}

}  // namespace millrace::testing
