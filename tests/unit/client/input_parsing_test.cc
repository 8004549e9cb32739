// Producer input lines and --config assignments.
#include <catch2/catch.hpp>

#include "input_parsing.h"
#include "millrace/client/errc.h"

using namespace millrace;
using namespace millrace::cli;

TEST_CASE("without a key separator the line is the value and the key is null") {
  const auto r = split_input_line("a:b", "");
  CHECK_FALSE(r.key.has_value());
  CHECK(r.value == "a:b");
}

TEST_CASE("the key is what precedes the first separator") {
  const auto r = split_input_line("user-1:a:b", ":");
  REQUIRE(r.key.has_value());
  CHECK(*r.key == "user-1");
  CHECK(r.value == "a:b");
}

TEST_CASE("multi-character separators and empty parts") {
  auto r = split_input_line("k::v", "::");
  CHECK(*r.key == "k");
  CHECK(r.value == "v");
  r = split_input_line(":v", ":");
  CHECK(*r.key == "");
  CHECK(r.value == "v");
  r = split_input_line("k:", ":");
  CHECK(*r.key == "k");
  CHECK(r.value == "");
}

TEST_CASE("a line without the separator has a null key") {
  const auto r = split_input_line("no separator here", "|");
  CHECK_FALSE(r.key.has_value());
  CHECK(r.value == "no separator here");
}

TEST_CASE("a CRLF line ending is dropped") {
  CHECK(split_input_line("value\r", "").value == "value");
  CHECK(split_input_line("", "").value == "");
}

TEST_CASE("config assignments split at the first '='") {
  auto a = parse_config_assignment("segment.bytes=1048576");
  REQUIRE(a.ok());
  CHECK(a->first == "segment.bytes");
  CHECK(a->second == "1048576");
  auto b = parse_config_assignment("x=a=b");
  REQUIRE(b.ok());
  CHECK(b->second == "a=b");
  auto c = parse_config_assignment("empty=");
  REQUIRE(c.ok());
  CHECK(c->second == "");
}

TEST_CASE("config assignments without a key or '=' are refused") {
  for (const char* bad : {"novalue", "=1", ""}) {
    auto r = parse_config_assignment(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == client::errc::invalid_argument);
  }
}

TEST_CASE("from-time takes ms since the epoch or ISO-8601") {
  using millrace::cli::parse_timestamp_ms;
  CHECK(parse_timestamp_ms("1772323200000").value() == 1'772'323'200'000);
  CHECK(parse_timestamp_ms("0").value() == 0);
  CHECK(parse_timestamp_ms("2026-03-01T00:00:00Z").value() == 1'772'323'200'000);
  CHECK(parse_timestamp_ms("2026-03-01T00:00:00").value() == 1'772'323'200'000);  // no zone: UTC
  CHECK(parse_timestamp_ms("2026-03-01 00:00:00Z").value() == 1'772'323'200'000);
  CHECK(parse_timestamp_ms("2026-03-01T01:30:00+01:30").value() == 1'772'323'200'000);
  CHECK(parse_timestamp_ms("2026-02-28T19:00:00-05:00").value() == 1'772'323'200'000);
  CHECK(parse_timestamp_ms("2026-03-01T00:00:00.250Z").value() == 1'772'323'200'250);
  CHECK(parse_timestamp_ms("1970-01-01T00:00:00Z").value() == 0);
  CHECK(parse_timestamp_ms("2000-02-29T12:00:00Z").value() == 951'825'600'000);  // a leap day
  for (const char* bad : {"", "-5", "yesterday", "2026-13-01T00:00:00Z", "2026-03-01", "2026-03-01T00:00:00Q",
                          "2026-03-01T00:00:00.Z", "2026-3-1T00:00:00Z"}) {
    INFO(bad);
    CHECK_FALSE(parse_timestamp_ms(bad).ok());
  }
}
