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
