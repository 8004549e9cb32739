// Storage faults on a real broker: a partition whose log cannot be trusted goes offline on its own, with the
// file and position in the error; the rest of the topic keeps serving.
#include <catch2/catch.hpp>
#include <fstream>

#include "broker_process.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/record_batch_format.h"
#include "native_requests.h"
#include "temp_dir.h"

using namespace millrace;
using namespace millrace::testing;

namespace {

void flip_byte(const std::filesystem::path& file, std::streamoff at) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  f.seekp(at);
  f.write(&c, 1);
}

}  // namespace

TEST_CASE("corruption inside a sealed segment takes only that partition offline") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  {
    RawClient client(broker.port());
    REQUIRE(create_topic(client, "sensors", 2, {{"segment.bytes", "4096"}}).error_code() == 0);
    for (int i = 0; i < 12; ++i) {
      for (int p = 0; p < 2; ++p) {
        Buffer batch = make_batch(5, std::string(100, 'a' + static_cast<char>(p)));
        REQUIRE(produce(client, "sensors", p, batch).error_code() == 0);
      }
    }
  }
  REQUIRE(broker.stop() == 0);

  // Damage a record inside the first (sealed) segment of partition 0, and remove what lets a restart trust
  // the log without reading it, as after a crash with nothing flushed.
  const auto p0 = dir.path() / "data" / "sensors-0";
  const auto first_log = p0 / "00000000000000000000.log";
  REQUIRE(std::filesystem::file_size(first_log) > 1000);
  flip_byte(first_log, static_cast<std::streamoff>(protocol::batch_format::kHeaderSize + 700));
  std::filesystem::remove(p0 / ".clean-shutdown");
  std::filesystem::remove(p0 / "recovery-point");

  broker.start();
  RawClient client(broker.port());
  auto desc = describe_topic(client, "sensors");
  REQUIRE(desc.partitions_size() == 2);
  CHECK(desc.partitions(0).error_code() == static_cast<int32_t>(protocol::errc::kafka_storage_error));
  CHECK(desc.partitions(0).error_message().find("00000000000000000000.log") != std::string::npos);
  CHECK(desc.partitions(1).error_code() == 0);
  CHECK(desc.partitions(1).log_end_offset() == 60);

  // Partition 0 refuses reads and writes with the storage error; partition 1 carries on.
  Buffer batch = make_batch(1);
  CHECK(produce(client, "sensors", 0, batch).error_code() ==
        static_cast<int32_t>(protocol::errc::kafka_storage_error));
  CHECK(produce(client, "sensors", 1, batch).base_offset() == 60);
  wire::FetchRequest fetch;
  auto* fp = fetch.add_partitions();
  fp->set_topic("sensors");
  fp->set_partition(0);
  fp->set_max_bytes(1 << 20);
  auto fetched = call<wire::FetchResponse>(client, protocol::ApiKey::fetch, fetch);
  CHECK(fetched.results(0).error_code() == static_cast<int32_t>(protocol::errc::kafka_storage_error));
  CHECK(fetched.results(0).records_bytes() == 0);  // no byte of the damaged log is served

  wire::MetadataRequest meta;
  auto metadata = call<wire::MetadataResponse>(client, protocol::ApiKey::metadata, meta);
  REQUIRE(metadata.topics_size() == 1);
  CHECK(metadata.topics(0).partitions(0).error_code() ==
        static_cast<int32_t>(protocol::errc::kafka_storage_error));
  CHECK(metadata.topics(0).partitions(1).error_code() == 0);
  CHECK(broker.log().find("00000000000000000000.log") != std::string::npos);  // the log names the file
}
