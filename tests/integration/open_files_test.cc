// max_open_files on a real broker: many partitions, each with .log/.index/.timeindex, served with the
// process's descriptors bounded, before and after a restart.
#include <dirent.h>

#include <string>

#include <catch2/catch.hpp>

#include "broker_process.h"
#include "cluster_process.h"
#include "native_requests.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::testing;

namespace {

size_t descriptors_of(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(path.c_str());
  REQUIRE(dir != nullptr);
  size_t count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(dir);
  return count;
}

constexpr int kPartitions = 200;  // 600 segment and index files
constexpr int kMaxOpen = 24;

// Every partition holds exactly the one batch produced into it.
void check_every_partition(uint16_t port) {
  for (int p = 0; p < kPartitions; ++p) {
    auto fetched = fetch_once(port, "many", p, 0);
    REQUIRE(fetched.has_value());
    CHECK(fetched->result.error_code() == 0);
    CHECK(fetched->result.high_watermark() == 5);
    CHECK(fetched->bytes.size() > 0);
  }
}

}  // namespace

TEST_CASE("max_open_files bounds the broker's descriptors over many partitions, across a restart") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data", {"--set", "max_open_files=" + std::to_string(kMaxOpen)});
  broker.start();
  // Descriptors for everything but segment files: sockets, RocksDB, logs. Measured with no topic.
  const size_t baseline = descriptors_of(broker.pid());
  {
    RawClient client(broker.port());
    REQUIRE(create_topic(client, "many", kPartitions).error_code() == 0);
    for (int p = 0; p < kPartitions; ++p) {
      REQUIRE(produce(client, "many", p, make_batch(5)).error_code() == 0);
    }
  }
  check_every_partition(broker.port());
  // Without the bound this would be 600 more than the baseline. A few beyond the limit are allowed: files
  // with writes not yet fsynced stay open, and RocksDB may open a file for the new topic.
  const size_t with_topic = descriptors_of(broker.pid());
  INFO("baseline " << baseline << ", with " << kPartitions << " partitions " << with_topic);
  CHECK(with_topic <= baseline + kMaxOpen + 16);

  REQUIRE(broker.stop() == 0);
  broker.start();
  check_every_partition(broker.port());
  const size_t after_restart = descriptors_of(broker.pid());
  INFO("after restart " << after_restart);
  CHECK(after_restart <= baseline + kMaxOpen + 16);
}
