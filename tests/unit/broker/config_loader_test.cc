#include <catch2/catch.hpp>

#include "millrace/broker/config_loader.h"

using namespace millrace::broker;

TEST_CASE("an empty config keeps every default") {
  auto c = load_config_text("", "test.yaml");
  REQUIRE(c.ok());
  CHECK(c->node_id == 0);
  CHECK(c->data_dir == "./data");
  CHECK(c->listen.to_string() == "0.0.0.0:9192");
  CHECK(c->flush == FlushPolicy::always);
}

TEST_CASE("config/millrace.yaml documents exactly the defaults") {
  auto c = load_config_file(std::string(MILLRACE_SOURCE_DIR) + "/config/millrace.yaml");
  REQUIRE(c.ok());
  const BrokerConfig d;
  CHECK(c->node_id == d.node_id);
  CHECK(c->data_dir == d.data_dir);
  CHECK(c->listen.to_string() == d.listen.to_string());
  CHECK(c->advertise.host == d.advertise.host);
  CHECK(c->max_frame_bytes == d.max_frame_bytes);
  CHECK(c->max_in_flight_requests_per_connection == d.max_in_flight_requests_per_connection);
  CHECK(c->max_connections == d.max_connections);
  CHECK(c->flush == d.flush);
  CHECK(c->flush_interval_ms == d.flush_interval_ms);
  CHECK(c->page_cache_window_bytes == d.page_cache_window_bytes);
  CHECK(c->default_partitions == d.default_partitions);
  CHECK(c->segment_bytes == d.segment_bytes);
  CHECK(c->max_message_bytes == d.max_message_bytes);
  CHECK(c->index_interval_bytes == d.index_interval_bytes);
  CHECK(c->segment_ms == d.segment_ms);
  CHECK(c->retention_ms == d.retention_ms);
  CHECK(c->retention_bytes == d.retention_bytes);
  CHECK(c->cleanup_policy == d.cleanup_policy);
  CHECK(c->delete_retention_ms == d.delete_retention_ms);
  CHECK(c->min_insync_replicas == d.min_insync_replicas);
  CHECK(c->retention_check_interval_ms == d.retention_check_interval_ms);
  CHECK(c->cleaner_interval_ms == d.cleaner_interval_ms);
  CHECK(c->cleaner_min_dirty_percent == d.cleaner_min_dirty_percent);
  CHECK(c->cleaner_key_map_bytes == d.cleaner_key_map_bytes);
  CHECK(c->cleaner_io_bytes_per_second == d.cleaner_io_bytes_per_second);
  CHECK(c->producer_id_expiration_ms == d.producer_id_expiration_ms);
  CHECK(c->shutdown_timeout_ms == d.shutdown_timeout_ms);
  CHECK(c->log_level == d.log_level);
  CHECK(c->peers.size() == d.peers.size());
  CHECK(c->raft_tick_ms == d.raft_tick_ms);
  CHECK(c->election_timeout_ms == d.election_timeout_ms);
  CHECK(c->heartbeat_interval_ms == d.heartbeat_interval_ms);
  CHECK(c->rack == d.rack);
  CHECK(c->broker_heartbeat_interval_ms == d.broker_heartbeat_interval_ms);
  CHECK(c->broker_session_timeout_ms == d.broker_session_timeout_ms);
}

TEST_CASE("keys override defaults") {
  auto c = load_config_text("node_id: 3\nlisten: 127.0.0.1:19192\nflush: interval\nflush_interval_ms: 50\n",
                            "test.yaml");
  REQUIRE(c.ok());
  CHECK(c->node_id == 3);
  CHECK(c->listen.host == "127.0.0.1");
  CHECK(c->listen.port == 19192);
  CHECK(c->flush == FlushPolicy::interval);
  CHECK(c->flush_interval_ms == 50);
}

TEST_CASE("every config error names the key and the problem") {
  SECTION("unknown key") {
    auto c = load_config_text("node_idd: 1\n", "my.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message == "my.yaml: unknown key 'node_idd'");
  }
  SECTION("bad integer") {
    auto c = load_config_text("node_id: seven\n", "my.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("key 'node_id'") != std::string::npos);
    CHECK(c.error().message.find("seven") != std::string::npos);
  }
  SECTION("a topic default checked by the topic key's rules") {
    auto c = load_config_text("cleanup_policy: shred\n", "my.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("key 'cleanup_policy'") != std::string::npos);
    CHECK(c.error().message.find("cleanup.policy") != std::string::npos);
    auto r = load_config_text("retention_ms: -2\n", "my.yaml");
    REQUIRE_FALSE(r.ok());
    CHECK(load_config_text("retention_ms: -1\n", "my.yaml").ok());
  }
  SECTION("the page-cache window: 0 turns it off, negative is refused") {
    auto c = load_config_text("page_cache_window_bytes: 0\n", "my.yaml");
    REQUIRE(c.ok());
    CHECK(c->page_cache_window_bytes == 0);
    auto r = load_config_text("page_cache_window_bytes: -1\n", "my.yaml");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find("key 'page_cache_window_bytes'") != std::string::npos);
  }
  SECTION("compaction: the policy and the cleaner's keys") {
    auto c = load_config_text("cleanup_policy: compact,delete\ncleaner_min_dirty_percent: 20\n", "my.yaml");
    REQUIRE(c.ok());
    CHECK(c->cleanup_policy == "compact,delete");
    CHECK(c->cleaner_min_dirty_percent == 20);
    CHECK_FALSE(load_config_text("cleaner_min_dirty_percent: 101\n", "my.yaml").ok());
    CHECK_FALSE(load_config_text("cleaner_key_map_bytes: 100\n", "my.yaml").ok());
    CHECK_FALSE(load_config_text("cleaner_interval_ms: 0\n", "my.yaml").ok());
  }
  SECTION("out of range") {
    auto c = load_config_text("segment_bytes: 10\n", "my.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("key 'segment_bytes'") != std::string::npos);
  }
  SECTION("bad enum") {
    auto c = load_config_text("flush: sometimes\n", "my.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("'always' or 'interval'") != std::string::npos);
  }
  SECTION("bad address") {
    auto c = load_config_text("listen: nowhere\n", "my.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("key 'listen'") != std::string::npos);
  }
  SECTION("not YAML") {
    auto c = load_config_text("node_id: [1, 2\n", "my.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("not valid YAML") != std::string::npos);
  }
  SECTION("not a mapping") {
    auto c = load_config_text("- a\n- b\n", "my.yaml");
    REQUIRE_FALSE(c.ok());
  }
  SECTION("nested value") {
    auto c = load_config_text("listen:\n  host: x\n", "my.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().message.find("key 'listen' must have a single value") != std::string::npos);
  }
}

TEST_CASE("flags set single keys and cross-key rules hold") {
  BrokerConfig c;
  REQUIRE(set_config_value(c, "data_dir", "/tmp/x").ok());
  CHECK(c.data_dir == "/tmp/x");
  CHECK_FALSE(set_config_value(c, "nope", "1").ok());
  CHECK_FALSE(set_config_value(c, "advertise", "0.0.0.0:9192").ok());
  REQUIRE(set_config_value(c, "max_message_bytes", "2000000").ok());
  REQUIRE(set_config_value(c, "max_frame_bytes", "1000000").ok());
  auto st = validate_config(c);
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().message.find("max_message_bytes") != std::string::npos);
  CHECK(validate_config(BrokerConfig{}).ok());
}

TEST_CASE("host:port parsing") {
  auto v4 = parse_host_port("127.0.0.1:9192");
  REQUIRE(v4.ok());
  CHECK(v4->host == "127.0.0.1");
  CHECK(v4->port == 9192);
  auto v6 = parse_host_port("[::1]:7");
  REQUIRE(v6.ok());
  CHECK(v6->host == "::1");
  CHECK(v6->port == 7);
  CHECK_FALSE(parse_host_port("host:99999").ok());
  CHECK_FALSE(parse_host_port(":9192").ok());
  CHECK_FALSE(parse_host_port("host").ok());
}
