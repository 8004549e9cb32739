// The CLI's --format rendering (kcat tokens).
#include <catch2/catch.hpp>

#include "millrace/client/errc.h"
#include "record_formatter.h"

using namespace millrace;
using millrace::cli::RecordFormatter;

namespace {

client::ConsumerRecord sample() {
  client::ConsumerRecord r;
  r.topic = "events";
  r.partition = PartitionId{3};
  r.offset = Offset{42};
  r.key = "user-7";
  r.value = "hello world";
  r.timestamp_ms = 1700000000123;
  return r;
}

std::string render(std::string_view format, const client::ConsumerRecord& record = sample()) {
  auto formatter = RecordFormatter::parse(format);
  REQUIRE(formatter.ok());
  return formatter->render(record);
}

}  // namespace

TEST_CASE("the default format is the value and a newline") {
  CHECK(RecordFormatter::kDefaultFormat == "%v\\n");
  CHECK(render(RecordFormatter::kDefaultFormat) == "hello world\n");
}

TEST_CASE("every token renders its field") {
  CHECK(render("%t") == "events");
  CHECK(render("%p") == "3");
  CHECK(render("%o") == "42");
  CHECK(render("%k") == "user-7");
  CHECK(render("%v") == "hello world");
  CHECK(render("%T") == "1700000000123");
  CHECK(render("%t/%p@%o %k=%v (%T)\\n") == "events/3@42 user-7=hello world (1700000000123)\n");
}

TEST_CASE("escapes and literal text are kept") {
  CHECK(render("%k\\t%v") == "user-7\thello world");
  CHECK(render("100%%") == "100%");
  CHECK(render("a\\\\b") == "a\\b");
  CHECK(render("x\\r\\n") == "x\r\n");
  CHECK(render("plain text") == "plain text");
  CHECK(render("") == "");
}

TEST_CASE("null keys and values render as nothing") {
  auto record = sample();
  record.key.reset();
  record.value.reset();
  CHECK(render("[%k][%v]", record) == "[][]");
}

TEST_CASE("values are copied byte for byte") {
  auto record = sample();
  record.value = std::string("a\0b%v\\n", 7);
  CHECK(render("%v", record) == std::string("a\0b%v\\n", 7));
}

TEST_CASE("bad formats are refused with the offending token named") {
  for (const char* bad : {"%x", "%", "abc%", "\\", "\\q", "%v\\"}) {
    INFO(bad);
    auto formatter = RecordFormatter::parse(bad);
    REQUIRE_FALSE(formatter.ok());
    CHECK(formatter.error().code == client::errc::invalid_argument);
  }
  auto unknown = RecordFormatter::parse("%v %x");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().message.find("'%x'") != std::string::npos);
}

TEST_CASE("rendering appends to the caller's buffer") {
  auto formatter = RecordFormatter::parse("%o,");
  REQUIRE(formatter.ok());
  std::string out = "start:";
  formatter->render(sample(), out);
  formatter->render(sample(), out);
  CHECK(out == "start:42,42,");
}
