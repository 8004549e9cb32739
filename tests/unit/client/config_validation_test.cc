// Config validation: defaults are valid and match Kafka's; each bad field is named.
#include <catch2/catch.hpp>

#include "millrace/client/acks.h"
#include "millrace/client/consumer_config.h"
#include "millrace/client/errc.h"
#include "millrace/client/producer_config.h"

using namespace millrace;
using namespace millrace::client;

namespace {

void check_invalid(const Status& st, const std::string& field) {
  REQUIRE_FALSE(st.ok());
  CHECK(st.error().code == errc::invalid_config);
  INFO(st.error().message);
  CHECK(st.error().message.find(field) != std::string::npos);
}

}  // namespace

TEST_CASE("producer defaults are valid and are Kafka's") {
  const ProducerConfig config;
  CHECK(validate(config).ok());
  CHECK(config.batch_bytes == 16384);
  CHECK(config.linger_ms == 5);
  CHECK(config.buffer_memory_bytes == 32u * 1024 * 1024);
  CHECK(config.acks == Acks::all);
  CHECK(static_cast<int32_t>(config.acks) == -1);
  CHECK(config.delivery_timeout_ms == 120000);
  CHECK(config.retry_backoff_ms == 100);
  CHECK(config.max_in_flight_per_connection == 5);
  CHECK(config.max_block_ms == 60000);
  CHECK(config.null_key_partitioning == NullKeyPartitioning::sticky);
  CHECK(config.connection.bootstrap == "localhost:9192");
}

TEST_CASE("bad producer configs name the field") {
  ProducerConfig c;
  c.batch_bytes = 10;
  check_invalid(validate(c), "batch_bytes");
  c = {};
  c.linger_ms = -1;
  check_invalid(validate(c), "linger_ms");
  c = {};
  c.acks = static_cast<Acks>(2);
  check_invalid(validate(c), "acks");
  c = {};
  c.max_in_flight_per_connection = 0;
  check_invalid(validate(c), "max_in_flight_per_connection");
  c = {};
  c.buffer_memory_bytes = c.batch_bytes - 1;
  check_invalid(validate(c), "buffer_memory_bytes");
  c = {};
  c.delivery_timeout_ms = c.connection.request_timeout_ms;  // less than linger + request timeout
  check_invalid(validate(c), "delivery_timeout_ms");
  c = {};
  c.max_block_ms = -5;
  check_invalid(validate(c), "max_block_ms");
  c = {};
  c.connection.bootstrap = "host:notaport";
  check_invalid(validate(c), "bootstrap");
  c = {};
  c.connection.request_timeout_ms = 0;
  check_invalid(validate(c), "request_timeout_ms");
}

TEST_CASE("consumer defaults are valid and bad fields are named") {
  ConsumerConfig c;
  CHECK(validate(c).ok());
  CHECK(c.auto_offset_reset == OffsetReset::latest);
  CHECK(c.fetch_max_wait_ms == 500);
  CHECK(c.max_poll_records == 500);
  c.max_poll_records = 0;
  check_invalid(validate(c), "max_poll_records");
  c = {};
  c.fetch_max_bytes = 0;
  check_invalid(validate(c), "fetch_max_bytes");
  c = {};
  c.fetch_max_wait_ms = -1;
  check_invalid(validate(c), "fetch_max_wait_ms");
  c = {};
  c.auto_offset_reset = static_cast<OffsetReset>(9);
  check_invalid(validate(c), "auto_offset_reset");
  CHECK(c.fetch_connections == 2);
  c = {};
  c.fetch_connections = 0;
  check_invalid(validate(c), "fetch_connections");
  c.fetch_connections = kMaxFetchConnections + 1;
  check_invalid(validate(c), "fetch_connections");
  c.fetch_connections = kMaxFetchConnections;
  CHECK(validate(c).ok());
}

TEST_CASE("acks parse from the CLI spellings") {
  CHECK(*parse_acks("0") == Acks::none);
  CHECK(*parse_acks("1") == Acks::leader);
  CHECK(*parse_acks("all") == Acks::all);
  CHECK(*parse_acks("-1") == Acks::all);
  auto bad = parse_acks("2");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == errc::invalid_argument);
}
