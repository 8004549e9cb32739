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
