#include <catch2/catch.hpp>

#include "millrace/broker/topic_config.h"
#include "millrace/broker/topic_name.h"
#include "millrace/protocol/errc.h"

using namespace millrace::broker;
using millrace::protocol::errc;

TEST_CASE("topic names follow Kafka's rules") {
  CHECK(validate_topic_name("sensor.readings_v2-eu").ok());
  CHECK(validate_topic_name(std::string(249, 'a')).ok());
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "..", "a b", "a/b", "ä", std::string(250, 'a')}) {
    auto st = validate_topic_name(bad);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == errc::invalid_topic_exception);
  }
}

TEST_CASE("topic configs use Kafka names and refuse unknown keys and bad values") {
  CHECK(validate_topic_config({{"segment.bytes", "1048576"}}).ok());
  auto unknown = validate_topic_config({{"segment.byte", "1"}});
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == errc::invalid_config);
  CHECK(unknown.error().message.find("segment.byte") != std::string::npos);
  CHECK(validate_topic_config({{"cleanup.policy", "compact,delete"}, {"retention.ms", "-1"}}).ok());
  CHECK_FALSE(validate_topic_config({{"cleanup.policy", "shred"}}).ok());
  CHECK(validate_topic_config({{"cleanup.policy", "compact"}}).ok());
  CHECK(validate_topic_config({{"cleanup.policy", "delete,compact"}}).ok());
  CHECK(resolve_topic_config({{"cleanup.policy", "delete,compact"}}, BrokerConfig{}).cleanup_policy ==
        CleanupPolicy::compact_and_delete);
  CHECK_FALSE(validate_topic_config({{"retention.bytes", "-5"}}).ok());
  CHECK_FALSE(validate_topic_config({{"min.insync.replicas", "0"}}).ok());
  auto bad = validate_topic_config({{"segment.bytes", "big"}});
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == errc::invalid_config);
}

TEST_CASE("effective topic config falls back to broker defaults and reports the source") {
  BrokerConfig defaults;
  defaults.segment_bytes = 5'000'000;
  const TopicConfigOverrides overrides{{"max.message.bytes", "2048"}};
  const auto effective = resolve_topic_config(overrides, defaults);
  CHECK(effective.segment_bytes == 5'000'000);
  CHECK(effective.max_message_bytes == 2048);
  CHECK(effective.retention_ms == defaults.retention_ms);
  CHECK(effective.cleanup_policy == CleanupPolicy::delete_segments);
  CHECK(resolve_topic_config({{"cleanup.policy", "compact"}}, defaults).cleanup_policy ==
        CleanupPolicy::compact);
  const auto entries = describe_topic_config(overrides, defaults);
  bool saw_segment = false, saw_max = false;
  for (const auto& e : entries) {
    if (e.name == "segment.bytes") {
      saw_segment = true;
      CHECK(e.value == "5000000");
      CHECK(e.source == "default");
    }
    if (e.name == "max.message.bytes") {
      saw_max = true;
      CHECK(e.value == "2048");
      CHECK(e.source == "topic");
    }
  }
  CHECK(saw_segment);
  CHECK(saw_max);
}
