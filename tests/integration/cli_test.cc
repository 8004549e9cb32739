// The millrace CLI against a real broker: topic admin, produce from stdin, consume with kcat-style formats,
// JSON output, and one clear error line with a non-zero exit for every failure.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "broker_process.h"
#include "millrace/protocol/record_batch_builder.h"
#include "native_requests.h"
#include "process.h"
#include "temp_dir.h"

using namespace millrace::testing;
using namespace std::chrono_literals;

namespace {

struct Cli {
  std::string bootstrap;
  CommandResult run(std::vector<std::string> args, const std::string& input = "") const {
    std::vector<std::string> argv = {millrace_cli_path(), "--bootstrap", bootstrap};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, input, 60s);
  }
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("CLI round trip: create, list, produce, consume, describe, delete") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  const Cli cli{broker.bootstrap()};

  auto created =
      cli.run({"topic", "create", "readings", "--partitions", "4", "--config", "segment.bytes=1048576"});
  INFO(created.err);
  REQUIRE(created.exit_code == 0);

  auto listed = cli.run({"topic", "list", "--json"});
  REQUIRE(listed.exit_code == 0);
  CHECK(contains(listed.out, "\"name\":\"readings\""));
  CHECK(contains(listed.out, "\"partitions\":4"));

  std::string input;
  std::multiset<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    const std::string key = "machine-" + std::to_string(i % 7);
    const std::string value = "reading-" + std::to_string(i);
    input += key + "|" + value + "\n";
    expected.insert(key + "=" + value);
  }
  auto produced = cli.run({"produce", "readings", "--acks", "all", "--key-separator", "|"}, input);
  INFO(produced.err);
  REQUIRE(produced.exit_code == 0);

  auto consumed = cli.run({"consume", "readings", "--from-beginning", "--max-messages", "200", "--timeout-ms",
                           "20000", "--format", "%k=%v\\n"});
  INFO(consumed.err);
  REQUIRE(consumed.exit_code == 0);
  auto lines = lines_of(consumed.out);
  CHECK(std::multiset<std::string>(lines.begin(), lines.end()) == expected);

  // Every token: topic, partition, offset, key, value, timestamp; one key always on one partition.
  auto detailed = cli.run({"consume", "readings", "--from-beginning", "--max-messages", "200", "--timeout-ms",
                           "20000", "--format", "%t\\t%p\\t%o\\t%k\\t%v\\t%T\\n"});
  REQUIRE(detailed.exit_code == 0);
  std::map<std::string, std::string> partition_of_key;
  int64_t offsets_sum = 0;
  for (const auto& line : lines_of(detailed.out)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
    REQUIRE(f.size() == 6);
    CHECK(f[0] == "readings");
    auto [it, inserted] = partition_of_key.emplace(f[3], f[1]);
    CHECK(it->second == f[1]);
    offsets_sum += std::stoll(f[2]);
    CHECK(std::stoll(f[5]) > 1'600'000'000'000);  // a create timestamp in ms
  }

  auto described = cli.run({"topic", "describe", "readings", "--json"});
  REQUIRE(described.exit_code == 0);
  CHECK(contains(described.out, "\"log_end_offset\""));
  CHECK(contains(described.out, "\"size_bytes\""));
  CHECK(contains(described.out, "\"log_start_offset\":0"));
  CHECK(contains(described.out, "\"name\":\"segment.bytes\",\"value\":\"1048576\",\"source\":\"topic\""));

  auto human = cli.run({"topic", "describe", "readings"});
  REQUIRE(human.exit_code == 0);
  CHECK(contains(human.out, "readings"));

  auto info = cli.run({"cluster", "info", "--json"});
  REQUIRE(info.exit_code == 0);
  CHECK(contains(info.out, "\"port\":" + std::to_string(broker.port())));

  REQUIRE(cli.run({"topic", "delete", "readings"}).exit_code == 0);
  auto gone = cli.run({"topic", "describe", "readings"});
  CHECK(gone.exit_code != 0);
  CHECK(contains(gone.err, "UNKNOWN_TOPIC_OR_PARTITION"));
}

TEST_CASE("CLI consume from a partition and offset, and produce to a chosen partition") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  const Cli cli{broker.bootstrap()};
  REQUIRE(cli.run({"topic", "create", "seq", "--partitions", "2"}).exit_code == 0);
  REQUIRE(cli.run({"produce", "seq", "--partition", "1"}, "a\nb\nc\nd\n").exit_code == 0);
  auto r = cli.run(
      {"consume", "seq", "--partition", "1", "--offset", "2", "--max-messages", "2", "--format", "%o:%v\\n"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "2:c\n3:d\n");
  // Without --max-messages, consume exits 0 once the timeout passes with nothing new.
  auto idle = cli.run({"consume", "seq", "--partition", "0", "--offset", "0", "--timeout-ms", "300"});
  CHECK(idle.exit_code == 0);
  CHECK(idle.out.empty());
}

TEST_CASE("CLI errors are one line on stderr with a non-zero exit") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  const Cli cli{broker.bootstrap()};
  REQUIRE(cli.run({"topic", "create", "dup", "--partitions", "1"}).exit_code == 0);

  auto check_error = [](const CommandResult& r, const std::string& needle) {
    INFO(r.err);
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, needle));
    CHECK(lines_of(r.err).size() == 1);
  };
  check_error(cli.run({"topic", "create", "dup", "--partitions", "1"}), "TOPIC_ALREADY_EXISTS");
  check_error(cli.run({"topic", "create", "bad name", "--partitions", "1"}), "INVALID_TOPIC_EXCEPTION");
  check_error(cli.run({"topic", "create", "cfg", "--partitions", "1", "--config", "nope=1"}),
              "INVALID_CONFIG");
  check_error(cli.run({"produce", "missing"}, "x\n"), "UNKNOWN_TOPIC_OR_PARTITION");
  check_error(cli.run({"topic", "frobnicate"}), "frobnicate");

  // A record over the topic's max.message.bytes fails; the exit code and count say so.
  REQUIRE(cli.run({"topic", "create", "small", "--partitions", "1", "--config", "max.message.bytes=1024"})
              .exit_code == 0);
  auto too_big = cli.run({"produce", "small"}, "ok\n" + std::string(5000, 'x') + "\nok\n");
  CHECK(too_big.exit_code != 0);
  CHECK(contains(too_big.err, "1"));

  // No broker there: a clear error, not a hang.
  const Cli nowhere{"127.0.0.1:" + std::to_string(pick_free_port())};
  auto down = nowhere.run({"topic", "list"});
  CHECK(down.exit_code != 0);
  CHECK_FALSE(down.err.empty());
}

TEST_CASE("CLI takes its bootstrap from MILLRACE_BOOTSTRAP") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  auto r = run_command({millrace_cli_path(), "topic", "create", "from-env", "--partitions", "1"}, "", 60s,
                       {"MILLRACE_BOOTSTRAP=" + broker.bootstrap()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const Cli cli{broker.bootstrap()};
  CHECK(contains(cli.run({"topic", "list"}).out, "from-env"));
}

TEST_CASE("topic alter-config changes overrides at once and they survive a restart") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  const Cli cli{broker.bootstrap()};
  REQUIRE(cli.run({"topic", "create", "cfg", "--partitions", "1"}).exit_code == 0);
  const std::string big(3000, 'b');
  REQUIRE(cli.run({"produce", "cfg"}, big + "\n").exit_code == 0);

  auto altered = cli.run(
      {"topic", "alter-config", "cfg", "--set", "max.message.bytes=2048", "--set", "retention.ms=3600000"});
  INFO(altered.err);
  REQUIRE(altered.exit_code == 0);
  CHECK(cli.run({"produce", "cfg"}, big + "\n").exit_code != 0);  // enforced at once
  CHECK(cli.run({"produce", "cfg"}, "small\n").exit_code == 0);

  // A bad key or value refuses the whole change.
  auto refused = cli.run({"topic", "alter-config", "cfg", "--set", "retention.ms=5", "--set", "nope=1"});
  CHECK(refused.exit_code != 0);
  CHECK(contains(refused.err, "INVALID_CONFIG"));

  REQUIRE(broker.stop() == 0);
  broker.start();
  auto described = cli.run({"topic", "describe", "cfg", "--json"});
  REQUIRE(described.exit_code == 0);
  CHECK(contains(described.out, "\"name\":\"max.message.bytes\",\"value\":\"2048\",\"source\":\"topic\""));
  CHECK(contains(described.out, "\"name\":\"retention.ms\",\"value\":\"3600000\",\"source\":\"topic\""));
  CHECK(cli.run({"produce", "cfg"}, big + "\n").exit_code != 0);

  REQUIRE(cli.run({"topic", "alter-config", "cfg", "--delete", "max.message.bytes"}).exit_code == 0);
  CHECK(cli.run({"produce", "cfg"}, big + "\n").exit_code == 0);
  auto after = cli.run({"topic", "describe", "cfg", "--json"});
  CHECK(contains(after.out, "\"name\":\"max.message.bytes\",\"value\":\"1048588\",\"source\":\"default\""));
}

TEST_CASE("consume --from-time starts at the first record at or after a time") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  const Cli cli{broker.bootstrap()};
  REQUIRE(cli.run({"topic", "create", "timed", "--partitions", "1", "--config", "segment.bytes=2048"})
              .exit_code == 0);
  // January and June 2026 (UTC), several batches each so the lookup crosses segments.
  constexpr int64_t kJanuary = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  constexpr int64_t kJune = 1'780'272'000'000;     // 2026-06-01T00:00:00Z
  {
    RawClient client(broker.port());
    for (int b = 0; b < 10; ++b) {
      millrace::protocol::RecordBatchBuilder builder;
      for (int i = 0; i < 5; ++i) {
        millrace::protocol::Record r;
        r.value = (b < 5 ? "jan-" : "jun-") + std::to_string(b * 5 + i);
        r.timestamp_ms = (b < 5 ? kJanuary : kJune) + b * 5 + i;
        builder.append(r);
      }
      millrace::Buffer batch = builder.build();
      REQUIRE(produce(client, "timed", 0, batch).error_code() == 0);
    }
  }
  for (const std::string from : {"2026-03-01T00:00:00Z", "1772323200000"}) {  // 2026-03-01, both forms
    auto r = cli.run({"consume", "timed", "--from-time", from, "--max-messages", "25", "--timeout-ms", "5000",
                      "--format", "%o %v\\n"});
    INFO(from << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 25);
    CHECK(lines.front() == "25 jun-25");
    CHECK(lines.back() == "49 jun-49");
  }
  // Exactly at a record's timestamp: that record first.
  auto exact = cli.run({"consume", "timed", "--from-time", std::to_string(kJune + 27), "--max-messages", "1",
                        "--timeout-ms", "5000", "--format", "%o\\n"});
  CHECK(exact.out == "27\n");
  // After every record: nothing, and no error.
  auto later = cli.run({"consume", "timed", "--from-time", "2026-07-01T00:00:00Z", "--timeout-ms", "500"});
  CHECK(later.exit_code == 0);
  CHECK(later.out.empty());
  auto bad = cli.run({"consume", "timed", "--from-time", "yesterday"});
  CHECK(bad.exit_code != 0);
  CHECK(contains(bad.err, "ISO-8601"));
}
