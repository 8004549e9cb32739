#include "millrace/broker/topic_registry.h"

#include "millrace.pb.h"
#include "millrace/broker/errc.h"

namespace millrace::broker {
namespace {

constexpr std::string_view kTopicKeyPrefix = "topic/";

std::string topic_key(const std::string& name) {
  return std::string(kTopicKeyPrefix) + name;
}

}  // namespace

Result<std::vector<TopicRecord>> TopicRegistry::load_all() const {
  auto entries = store_.scan_prefix(kTopicKeyPrefix);
  if (!entries) return std::move(entries).error();
  std::vector<TopicRecord> topics;
  for (const auto& [key, value] : *entries) {
    wire::StoredTopic stored;
    if (!stored.ParseFromString(value)) {
      return make_error(errc::metadata_store_failed, "unreadable topic record under key '" + key + "'");
    }
    TopicRecord t;
    t.name = stored.name();
    t.partitions = stored.partitions();
    t.configs = TopicConfigOverrides(stored.configs().begin(), stored.configs().end());
    t.created_ms = stored.created_ms();
    for (const auto& a : stored.assignments())
      t.assignments.emplace_back(a.replicas().begin(), a.replicas().end());
    topics.push_back(std::move(t));
  }
  return topics;
}

Status TopicRegistry::put(const TopicRecord& topic) {
  wire::StoredTopic stored;
  stored.set_name(topic.name);
  stored.set_partitions(topic.partitions);
  stored.set_created_ms(topic.created_ms);
  for (const auto& [k, v] : topic.configs) (*stored.mutable_configs())[k] = v;
  for (const auto& replicas : topic.assignments) {
    auto* a = stored.add_assignments();
    for (int32_t r : replicas) a->add_replicas(r);
  }
  return store_.put(topic_key(topic.name), stored.SerializeAsString());
}

Status TopicRegistry::erase(const std::string& name) {
  return store_.erase(topic_key(name));
}

}  // namespace millrace::broker
