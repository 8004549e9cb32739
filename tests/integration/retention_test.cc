// Retention on a real broker: retention.bytes and retention.ms (with segment.ms rolling) delete old segments
// and advance the log start; consumers below it reset (earliest) or fail (an explicit offset).
#include <catch2/catch.hpp>

#include "broker_process.h"
#include "millrace/client/consumer.h"
#include "millrace/protocol/errc.h"
#include "native_requests.h"
#include "process.h"
#include "temp_dir.h"
#include "wait_until.h"

using namespace millrace;
using namespace millrace::testing;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> fast_retention() {
  return {"--set", "retention_check_interval_ms=100"};
}

wire::PartitionDescription partition0(uint16_t port, const std::string& topic) {
  RawClient c(port);
  return describe_topic(c, topic).partitions(0);
}

}  // namespace

TEST_CASE("retention.bytes deletes the oldest segments and consumers reset to the new start") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data", fast_retention());
  broker.start();
  {
    RawClient client(broker.port());
    REQUIRE(create_topic(client, "bounded", 1, {{"segment.bytes", "4096"}, {"retention.bytes", "8192"}})
                .error_code() == 0);
    for (int i = 0; i < 40; ++i) {
      Buffer batch = make_batch(10, std::string(100, 'r'));  // about 1.1 KiB
      REQUIRE(produce(client, "bounded", 0, batch).error_code() == 0);
    }
  }
  // Retention runs every 100 ms, also during the produce loop: wait until it has caught up with the end.
  // Converged, the partition holds under the limit plus one segment (4096 + one ~1.1 KiB batch), and it is
  // stable: nothing more is deleted without new data.
  constexpr int64_t kConverged = 8192 + 4096 + 1200;
  REQUIRE(wait_until([&] { return partition0(broker.port(), "bounded").size_bytes() < kConverged; }, 30s));
  const auto p = partition0(broker.port(), "bounded");
  CHECK(p.log_end_offset() == 400);
  CHECK(p.log_start_offset() > 0);
  CHECK(p.size_bytes() >= 8192);  // not more than the limit asks for

  // A consumer asking for offset 0 with reset policy earliest lands on the new log start.
  client::ConsumerConfig config;
  config.connection.bootstrap = broker.bootstrap();
  config.auto_offset_reset = client::OffsetReset::earliest;
  auto consumer = client::Consumer::create(config);
  REQUIRE(consumer.ok());
  const client::TopicPartition tp{"bounded", PartitionId{0}};
  REQUIRE((*consumer)->assign({tp}).ok());
  REQUIRE((*consumer)->seek(tp, Offset{0}).ok());
  std::vector<client::ConsumerRecord> records;
  REQUIRE(wait_until(
      [&] {
        auto batch = (*consumer)->poll(200ms);
        REQUIRE(batch.ok());
        records.insert(records.end(), batch->begin(), batch->end());
        return !records.empty();
      },
      30s));
  CHECK(records.front().offset.value >= p.log_start_offset());

  // An explicit offset below the start is an error, not a silent jump.
  auto r = run_command({millrace_cli_path(), "--bootstrap", broker.bootstrap(), "consume", "bounded",
                        "--partition", "0", "--offset", "0", "--max-messages", "1", "--timeout-ms", "5000"},
                       "", 60s);
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("OFFSET_OUT_OF_RANGE") != std::string::npos);

  // The advanced start survives a restart.
  REQUIRE(broker.stop() == 0);
  broker.start();
  CHECK(partition0(broker.port(), "bounded").log_start_offset() == p.log_start_offset());
}

TEST_CASE("segment.ms rolls and retention.ms deletes segments by age") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data", fast_retention());
  broker.start();
  RawClient client(broker.port());
  REQUIRE(create_topic(client, "aging", 1, {{"segment.ms", "200"}, {"retention.ms", "1000"}}).error_code() ==
          0);
  Buffer batch = make_batch(5);
  REQUIRE(produce(client, "aging", 0, batch).error_code() == 0);
  // The 1 GiB default segment.bytes never rolls it; age does, and then age deletes it.
  REQUIRE(wait_until([&] { return partition0(broker.port(), "aging").log_start_offset() == 5; }, 30s));
  const auto p = partition0(broker.port(), "aging");
  CHECK(p.log_end_offset() == 5);
  CHECK(p.size_bytes() == 0);
  // New records still append after the deleted ones.
  CHECK(produce(client, "aging", 0, batch).base_offset() == 5);
}
