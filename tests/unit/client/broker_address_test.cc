// Bootstrap lists: "host:port[,host:port]", default port, IPv6 brackets, errors.
#include <catch2/catch.hpp>

#include "millrace/client/broker_address.h"
#include "millrace/client/errc.h"

using namespace millrace;
using namespace millrace::client;

TEST_CASE("a bootstrap list parses into addresses in order") {
  auto list = parse_bootstrap("a.example:9192, 10.0.0.2:19092,localhost");
  REQUIRE(list.ok());
  REQUIRE(list->size() == 3);
  CHECK((*list)[0] == BrokerAddress{"a.example", 9192});
  CHECK((*list)[1] == BrokerAddress{"10.0.0.2", 19092});
  CHECK((*list)[2] == BrokerAddress{"localhost", kDefaultPort});
}

TEST_CASE("the default bootstrap is localhost:9192") {
  auto list = parse_bootstrap(kDefaultBootstrap);
  REQUIRE(list.ok());
  CHECK(list->front() == BrokerAddress{"localhost", 9192});
}

TEST_CASE("IPv6 literals go in brackets") {
  auto list = parse_bootstrap("[::1]:9300,[fe80::1]");
  REQUIRE(list.ok());
  CHECK((*list)[0] == BrokerAddress{"::1", 9300});
  CHECK((*list)[1] == BrokerAddress{"fe80::1", kDefaultPort});
  CHECK((*list)[0].to_string() == "[::1]:9300");
  CHECK(BrokerAddress{"h", 1}.to_string() == "h:1");
}

TEST_CASE("malformed bootstrap lists are refused") {
  for (const char* bad :
       {"", " , ", "host:", ":9192", "host:0", "host:65536", "host:12ab", "[::1", "[::1]x"}) {
    INFO(bad);
    auto list = parse_bootstrap(bad);
    REQUIRE_FALSE(list.ok());
    CHECK(list.error().code == errc::invalid_argument);
  }
}
