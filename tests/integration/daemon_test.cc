// millraced as a process: defaults, config errors, occupied port, unusable data directory, clean shutdown.
#include <signal.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "broker_process.h"
#include "native_requests.h"
#include "process.h"
#include "temp_dir.h"
#include "wait_until.h"

using namespace millrace;
using namespace millrace::testing;
using namespace std::chrono_literals;

namespace {

size_t count_lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

CommandResult run_daemon(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {millraced_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, "", 30s);
}

}  // namespace

TEST_CASE("millraced refuses bad config with one line naming the key") {
  TempDir dir;
  const auto config = (dir.path() / "bad.yaml").string();
  const std::string data = (dir.path() / "data").string();

  SECTION("unknown key in the file") {
    std::ofstream(config) << "node_id: 1\nsegmnet_bytes: 100000\n";
    auto r = run_daemon({"--config", config, "--data-dir", data, "--listen", "127.0.0.1:0"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("unknown key 'segmnet_bytes'") != std::string::npos);
    CHECK(count_lines(r.err) == 1);
  }
  SECTION("bad value in the file") {
    std::ofstream(config) << "flush: never\n";
    auto r = run_daemon({"--config", config, "--data-dir", data, "--listen", "127.0.0.1:0"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("key 'flush'") != std::string::npos);
    CHECK(count_lines(r.err) == 1);
  }
  SECTION("missing file") {
    auto r = run_daemon({"--config", (dir.path() / "missing.yaml").string()});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("cannot read config file") != std::string::npos);
  }
  SECTION("bad flag value") {
    auto r = run_daemon({"--node-id", "abc", "--data-dir", data, "--listen", "127.0.0.1:0"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("key 'node_id'") != std::string::npos);
  }
  SECTION("unknown flag") {
    auto r = run_daemon({"--no-such-flag"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("no-such-flag") != std::string::npos);
    CHECK(count_lines(r.err) == 1);
  }
  CHECK_FALSE(std::filesystem::exists(data));  // refused before touching the data directory
}

TEST_CASE("millraced refuses an occupied port and an unusable or locked data directory") {
  TempDir dir;
  BrokerProcess first(dir.path() / "first");
  first.start();

  SECTION("occupied port") {
    auto r = run_daemon({"--data-dir", (dir.path() / "second").string(), "--listen", first.bootstrap()});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("cannot bind " + first.bootstrap()) != std::string::npos);
  }
  SECTION("data directory under a regular file") {
    std::ofstream(dir.path() / "plain-file") << "x";
    auto r =
        run_daemon({"--data-dir", (dir.path() / "plain-file" / "data").string(), "--listen", "127.0.0.1:0"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("cannot create data directory") != std::string::npos);
  }
  SECTION("data directory in use by another broker") {
    auto r = run_daemon({"--data-dir", first.data_dir().string(), "--listen", "127.0.0.1:0"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find("in use by another millraced") != std::string::npos);
  }
  CHECK(first.running());  // the refused starts did not disturb the running broker
}

TEST_CASE("millraced with no arguments serves node 0 from ./data on port 9192") {
  TempDir dir;
  const bool port_was_free = !port_accepts(9192);
  const auto log = (dir.path() / "default.log").string();
  const pid_t pid = spawn_process({millraced_path()}, log, dir.path().string());
  if (port_was_free) {
    REQUIRE(wait_until([] { return port_accepts(9192); }, 30s));
    CHECK(std::filesystem::exists(dir.path() / "data" / "meta"));
    RawClient client(9192);
    wire::MetadataRequest req;
    auto meta = call<wire::MetadataResponse>(client, protocol::ApiKey::metadata, req);
    REQUIRE(meta.brokers_size() == 1);
    CHECK(meta.brokers(0).node_id() == 0);
    CHECK(meta.brokers(0).port() == 9192);
    ::kill(pid, SIGTERM);
    CHECK(wait_for_exit(pid, 30s) == 0);
  } else {
    // Something else holds 9192 on this machine: the default start must say so and exit.
    auto code = wait_for_exit(pid, 30s);
    CHECK(code.value_or(0) != 0);
  }
}

TEST_CASE("SIGTERM finishes in-flight work, writes clean-shutdown markers and exits 0") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  {
    RawClient client(broker.port());
    REQUIRE(create_topic(client, "orders", 2).error_code() == 0);
    Buffer batch = make_batch(10);
    REQUIRE(produce(client, "orders", 1, batch).base_offset() == 0);
  }
  REQUIRE(broker.stop() == 0);
  CHECK(broker.log().find("stopped cleanly") != std::string::npos);
  for (const char* p : {"orders-0", "orders-1"}) {
    bool has_marker = false;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "data" / p)) {
      has_marker |= entry.path().filename().string().find("clean") != std::string::npos;
    }
    CHECK(has_marker);
  }
  broker.start();
  RawClient client(broker.port());
  auto desc = describe_topic(client, "orders");
  REQUIRE(desc.partitions_size() == 2);
  CHECK(desc.partitions(1).log_end_offset() == 10);
  CHECK(desc.partitions(0).log_end_offset() == 0);
}

TEST_CASE("SIGTERM answers a waiting long-poll fetch instead of holding shutdown") {
  TempDir dir;
  // A shutdown timeout far longer than the check below, so only an immediate answer passes.
  BrokerProcess broker(dir.path() / "data", {"--set", "shutdown_timeout_ms=60000"});
  broker.start();
  RawClient client(broker.port());
  REQUIRE(create_topic(client, "quiet", 1).error_code() == 0);
  wire::FetchRequest fetch;
  fetch.set_max_wait_ms(120'000);
  auto* p = fetch.add_partitions();
  p->set_topic("quiet");
  p->set_fetch_offset(0);
  p->set_max_bytes(1 << 20);
  REQUIRE(client.send_request(protocol::ApiKey::fetch, 42, fetch));
  // Let the fetch reach the broker and start waiting: a second request on the same connection is answered
  // only after it (responses are in order), so send it on another connection.
  RawClient probe(broker.port());
  REQUIRE(describe_topic(probe, "quiet").partitions_size() == 1);

  const auto started = std::chrono::steady_clock::now();
  REQUIRE(broker.stop(30s) == 0);
  CHECK(std::chrono::steady_clock::now() - started < 20s);
  auto response = client.read_response();
  REQUIRE(response);
  CHECK(response->correlation_id == 42);
  wire::FetchResponse body;
  REQUIRE(body.ParseFromString(response->body));
  CHECK(body.results(0).error_code() == 0);
  CHECK(body.results(0).records_bytes() == 0);
}

TEST_CASE("a topic's segment.bytes override rolls the log into 20-digit named segments") {
  TempDir dir;
  BrokerProcess broker(dir.path() / "data");
  broker.start();
  RawClient client(broker.port());
  REQUIRE(create_topic(client, "rolling", 1, {{"segment.bytes", "4096"}}).error_code() == 0);
  for (int i = 0; i < 20; ++i) {
    Buffer batch = make_batch(10, std::string(100, 'x'));  // about 1.1 KiB per batch
    REQUIRE(produce(client, "rolling", 0, batch).base_offset() == i * 10);
  }
  auto desc = describe_topic(client, "rolling");
  CHECK(desc.partitions(0).segment_count() >= 5);
  CHECK(desc.partitions(0).log_end_offset() == 200);
  bool saw_override = false;
  for (const auto& c : desc.configs()) {
    if (c.name() == "segment.bytes") {
      saw_override = c.value() == "4096" && c.source() == "topic";
    }
  }
  CHECK(saw_override);
  size_t logs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "data" / "rolling-0")) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".log") {
      ++logs;
      CHECK(name.size() == 24);  // 20 digits + ".log"
      CHECK(std::filesystem::exists(entry.path().parent_path() / (name.substr(0, 20) + ".index")));
    }
  }
  CHECK(logs == static_cast<size_t>(desc.partitions(0).segment_count()));
  // Unknown and bad topic configs are refused with INVALID_CONFIG.
  CHECK(create_topic(client, "bad1", 1, {{"segment.bites", "4096"}}).error_code() == 40);
  CHECK(create_topic(client, "bad2", 1, {{"segment.bytes", "huge"}}).error_code() == 40);
}
