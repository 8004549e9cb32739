// BenchResult renderings and the benchmark payload stamp.
#include <catch2/catch.hpp>

#include "bench_payload.h"
#include "bench_result.h"
#include "latency_histogram.h"

using namespace millrace::cli;

TEST_CASE("throughput in MB/s (10^6 bytes) and messages per second") {
  BenchResult result;
  result.messages = 1000;
  result.bytes = 1'024'000;
  result.elapsed_ns = 500'000'000;
  CHECK(result.mb_per_s() == Approx(2.048));
  CHECK(result.msgs_per_s() == Approx(2000.0));
  result.elapsed_ns = 0;
  CHECK(result.mb_per_s() == 0.0);
  CHECK(result.msgs_per_s() == 0.0);
}

TEST_CASE("format_ms prints milliseconds with microsecond resolution") {
  CHECK(format_ms(1'234'567) == "1.235");
  CHECK(format_ms(0) == "0.000");
  CHECK(format_ms(5'000'000'000) == "5000.000");
}

TEST_CASE("JSON has the fields scripts rely on") {
  LatencyHistogram latency;
  for (int i = 1; i <= 1000; ++i) latency.record(i * 1000);  // 1 us .. 1 ms
  BenchResult result;
  result.kind = "produce";
  result.topic = "bench-\"x\"";
  result.messages = 1000;
  result.bytes = 1'000'000;
  result.elapsed_ns = 1'000'000'000;
  result.latency = &latency;
  result.latency_from = "intended_send";
  result.parameters = {{"acks", "all"}};
  const std::string json = result.to_json();
  CHECK(json.front() == '{');
  CHECK(json.back() == '}');
  CHECK(json.find("\"topic\":\"bench-\\\"x\\\"\"") != std::string::npos);
  CHECK(json.find("\"mb_per_s\":1.000") != std::string::npos);
  CHECK(json.find("\"msgs_per_s\":1000.0") != std::string::npos);
  CHECK(json.find("\"p50_ms\":0.500") != std::string::npos);
  CHECK(json.find("\"p99_ms\":0.990") != std::string::npos);
  CHECK(json.find("\"p999_ms\":0.999") != std::string::npos);
  CHECK(json.find("\"max_ms\":1.000") != std::string::npos);
  CHECK(json.find("\"latency_from\":\"intended_send\"") != std::string::npos);
  CHECK(json.find("\"acks\":\"all\"") != std::string::npos);
  CHECK(json.find("\"first_error\":null") != std::string::npos);
  CHECK(json.find("ack_p50_ms") == std::string::npos);
  CHECK(json.find("send_lag_p50_ms") == std::string::npos);
}

TEST_CASE("e2e JSON adds the ack latency and the send lag") {
  LatencyHistogram latency, ack, lag;
  for (int i = 1; i <= 1000; ++i) {
    latency.record(i * 1000);
    ack.record(i * 2000);
    lag.record(i * 3000);
  }
  BenchResult result;
  result.kind = "e2e";
  result.messages = 1000;
  result.elapsed_ns = 1'000'000'000;
  result.latency = &latency;
  result.ack_latency = &ack;
  result.send_lag = &lag;
  const std::string json = result.to_json();
  CHECK(json.find("\"ack_p99_ms\":1.980") != std::string::npos);
  CHECK(json.find("\"send_lag_p99_ms\":2.97") != std::string::npos);
  CHECK(json.find("\"send_lag_max_ms\":3.000") != std::string::npos);
  CHECK_THAT(result.to_text(), Catch::Contains("send lag"));
}

TEST_CASE("JSON without latency has null percentiles") {
  BenchResult result;
  result.kind = "consume";
  result.first_error = "only 5 of 10";
  const std::string json = result.to_json();
  CHECK(json.find("\"p50_ms\":null") != std::string::npos);
  CHECK(json.find("\"max_ms\":null") != std::string::npos);
  CHECK(json.find("\"first_error\":\"only 5 of 10\"") != std::string::npos);
}

TEST_CASE("text output names the numbers") {
  LatencyHistogram latency;
  latency.record(2'000'000);
  BenchResult result;
  result.kind = "e2e";
  result.topic = "t";
  result.messages = 1;
  result.bytes = 100;
  result.elapsed_ns = 1'000'000'000;
  result.latency = &latency;
  result.latency_from = "intended_send";
  const std::string text = result.to_text();
  CHECK(text.find("end-to-end latency ms: p50 2.000") != std::string::npos);
  CHECK(text.find("intended send time") != std::string::npos);
}

TEST_CASE("payloads have the asked size and are reproducible") {
  CHECK(make_payload(0, 1).empty());
  CHECK(make_payload(1024, 1).size() == 1024);
  CHECK(make_payload(100, 7) == make_payload(100, 7));
  CHECK(make_payload(100, 7) != make_payload(100, 8));
}

TEST_CASE("a stamp round-trips through a value") {
  std::string value = make_payload(64, 3);
  const std::string tail = value.substr(kStampBytes);
  write_stamp(value, PayloadStamp{-123456789, 42});
  auto stamp = read_stamp(value);
  REQUIRE(stamp);
  CHECK(stamp->intended_send_ns == -123456789);
  CHECK(stamp->index == 42);
  CHECK(value.substr(kStampBytes) == tail);  // the rest is untouched
  CHECK_FALSE(read_stamp(std::string(kStampBytes - 1, 'x')));
}
