// The control protocol: every command parses, bad ones are rejected with a reason, and FaultProxy::execute()
// applies them (without sockets). Also HOST:PORT parsing for the program's flags.
#include <catch2/catch.hpp>

#include "control_command.h"
#include "fault_proxy.h"
#include "host_port.h"

using namespace millrace::faultproxy;

namespace {

ControlCommand parse_ok(std::string_view line) {
  auto parsed = parse_control_command(line);
  INFO("line '" << line << "': " << (parsed ? "" : parsed.error().message));
  REQUIRE(parsed);
  return *parsed;
}

}  // namespace

TEST_CASE("control commands parse", "[control]") {
  CHECK(parse_ok("pass").verb == ControlVerb::pass);
  CHECK(parse_ok("pass").directions == DirectionSet::both());
  CHECK(parse_ok("pass up").directions == DirectionSet::only(Direction::up));

  const auto delay = parse_ok("delay down 250");
  CHECK(delay.verb == ControlVerb::delay);
  CHECK(delay.directions == DirectionSet::only(Direction::down));
  CHECK(delay.value == 250);
  CHECK(parse_ok("delay both 0").directions == DirectionSet::both());
  CHECK(parse_ok("delay up 600000").value == 600000);

  const auto blackhole = parse_ok("blackhole both");
  CHECK(blackhole.verb == ControlVerb::blackhole);
  CHECK(blackhole.directions == DirectionSet::both());

  const auto drop = parse_ok("drop-frames up 3");
  CHECK(drop.verb == ControlVerb::drop_frames);
  CHECK(drop.directions == DirectionSet::only(Direction::up));
  CHECK(drop.value == 3);

  CHECK(parse_ok("reset").verb == ControlVerb::reset);
  CHECK(parse_ok("heal").verb == ControlVerb::heal);
  CHECK(parse_ok("stats").verb == ControlVerb::stats);
  CHECK(parse_ok("  delay\tup   7 \r").value == 7);  // spaces, tabs and a trailing CR
}

TEST_CASE("bad control commands are rejected with a reason", "[control]") {
  const char* bad[] = {"",
                       "   ",
                       "bogus",
                       "DELAY up 5",
                       "delay",
                       "delay up",
                       "delay sideways 5",
                       "delay up -1",
                       "delay up 5x",
                       "delay up 600001",
                       "delay up 99999999999999999999999",
                       "delay up 5 6",
                       "blackhole",
                       "blackhole left",
                       "drop-frames down",
                       "drop-frames down many",
                       "drop-frames down 1000000001",
                       "pass up down",
                       "pass nowhere",
                       "reset now",
                       "heal all",
                       "stats please"};
  for (const char* line : bad) {
    INFO("line '" << line << "'");
    const auto parsed = parse_control_command(line);
    REQUIRE_FALSE(parsed);
    CHECK_FALSE(parsed.error().message.empty());
    CHECK(parsed.error().message.find('\n') == std::string::npos);
  }
  CHECK(parse_control_command("bogus").error().message.find("unknown command 'bogus'") != std::string::npos);
  CHECK(parse_control_command("delay up x").error().message.find("MS must be an integer") !=
        std::string::npos);
}

TEST_CASE("execute applies control commands to the proxy's faults", "[control]") {
  FaultProxy proxy(FaultProxyOptions{});  // not started: faults can be set before start
  CHECK(proxy.execute("delay up 40") == "ok up=delay:40 down=pass drop_up=0 drop_down=0 reset=off");
  CHECK(proxy.stats().of(Direction::up).policy.mode == FaultMode::delay);
  CHECK(proxy.stats().of(Direction::up).policy.delay == std::chrono::milliseconds(40));
  CHECK(proxy.execute("blackhole down") == "ok up=delay:40 down=blackhole drop_up=0 drop_down=0 reset=off");
  CHECK(proxy.execute("drop-frames both 2") ==
        "ok up=delay:40 down=blackhole drop_up=2 drop_down=2 reset=off");
  CHECK(proxy.execute("pass down") == "ok up=delay:40 down=pass drop_up=2 drop_down=2 reset=off");
  CHECK(proxy.execute("reset") == "ok up=delay:40 down=pass drop_up=2 drop_down=2 reset=on");
  CHECK(proxy.stats().refusing);
  CHECK(proxy.execute("heal") == "ok up=pass down=pass drop_up=0 drop_down=0 reset=off");
  const std::string stats = proxy.execute("stats");
  CHECK(stats.rfind("ok up=pass down=pass", 0) == 0);
  CHECK(stats.find(" open=0 accepted=0 refused=0 failed_connects=0") != std::string::npos);
  CHECK(stats.find(" up_forwarded_bytes=0") != std::string::npos);
  CHECK(stats.find(" down_dropped_frames=0") != std::string::npos);
  CHECK(proxy.execute("delay up nope").rfind("error ", 0) == 0);
  CHECK(proxy.stats().of(Direction::up).policy.mode ==
        FaultMode::pass);  // a rejected command changes nothing
}

TEST_CASE("HOST:PORT parses", "[control]") {
  auto plain = parse_host_port("127.0.0.1:9192");
  REQUIRE(plain);
  CHECK(plain->host == "127.0.0.1");
  CHECK(plain->port == 9192);
  auto v6 = parse_host_port("[::1]:0");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 0);
  for (const char* bad : {"", "localhost", ":80", "host:", "host:65536", "host:-1", "host:80x"}) {
    INFO(bad);
    CHECK_FALSE(parse_host_port(bad));
  }
}
