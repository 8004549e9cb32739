// ClusterMetadata::merge: the per-snapshot list of partitions that take records without a key; a reader's
// CachedSnapshot follows the MetadataCache it reads.
#include <catch2/catch.hpp>
#include <vector>

#include <string>

#include "cluster_metadata.h"
#include "metadata_cache.h"
#include "millrace.pb.h"

using namespace millrace;
using namespace millrace::client::internal;

namespace {

wire::MetadataResponse topic_with_leaders(const std::vector<int32_t>& leaders) {
  wire::MetadataResponse response;
  auto* broker = response.add_brokers();
  broker->set_node_id(0);
  broker->set_host("127.0.0.1");
  broker->set_port(9192);
  auto* topic = response.add_topics();
  topic->set_name("t");
  for (size_t i = 0; i < leaders.size(); ++i) {
    auto* partition = topic->add_partitions();
    partition->set_partition(static_cast<int32_t>(i));
    partition->set_leader(leaders[i]);
  }
  return response;
}

}  // namespace

TEST_CASE("null-key candidates are the partitions with a leader, or all of them if none has one") {
  const auto some = ClusterMetadata::merge({}, topic_with_leaders({0, -1, 0, -1}));
  CHECK(some.topic("t")->null_key_candidates == std::vector<PartitionId>{PartitionId{0}, PartitionId{2}});

  const auto none = ClusterMetadata::merge(some, topic_with_leaders({-1, -1, -1}));
  CHECK(none.topic("t")->null_key_candidates ==
        std::vector<PartitionId>{PartitionId{0}, PartitionId{1}, PartitionId{2}});
}

TEST_CASE("a cached snapshot is reused while its cache is unchanged and replaced when the cache changes") {
  MetadataCache first;
  MetadataCache second;
  CachedSnapshot cached;
  const ClusterMetadata* before = &cached.get(first);
  CHECK(before->topic("t") == nullptr);
  CHECK(&cached.get(first) == before);  // unchanged: the same snapshot, not taken again

  first.apply(topic_with_leaders({0, 0}));
  const ClusterMetadata& after = cached.get(first);
  REQUIRE(after.topic("t") != nullptr);
  CHECK(after.topic(std::string("t"))->partitions.size() == 2);
  CHECK(after.topic("u") == nullptr);

  // Another cache (whose snapshot has no topic yet) is never mistaken for the first.
  CHECK(cached.get(second).topic("t") == nullptr);
  CHECK(cached.get(first).topic("t") != nullptr);
  CHECK(first.version() != second.version());
}
