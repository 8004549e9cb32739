// The CLI's JSON output helper: structure, commas and escaping.
#include <catch2/catch.hpp>

#include "json_writer.h"

using millrace::cli::json_quote;
using millrace::cli::JsonWriter;

TEST_CASE("json_quote escapes quotes, backslashes and control characters") {
  CHECK(json_quote("plain") == "\"plain\"");
  CHECK(json_quote("a\"b") == "\"a\\\"b\"");
  CHECK(json_quote("a\\b") == "\"a\\\\b\"");
  CHECK(json_quote("line\nnext\ttab\rcr") == "\"line\\nnext\\ttab\\rcr\"");
  CHECK(json_quote(std::string("nul\0x", 5)) == "\"nul\\u0000x\"");
  CHECK(json_quote("\x1f") == "\"\\u001f\"");
  CHECK(json_quote("\b\f") == "\"\\b\\f\"");
}

TEST_CASE("json_quote keeps valid UTF-8 and replaces invalid bytes") {
  CHECK(json_quote("h\xc3\xa9llo") == "\"h\xc3\xa9llo\"");           // é
  CHECK(json_quote("\xf0\x9f\x98\x80") == "\"\xf0\x9f\x98\x80\"");   // an emoji, 4 bytes
  CHECK(json_quote("\xff") == "\"\\ufffd\"");                        // never valid
  CHECK(json_quote("\xc3") == "\"\\ufffd\"");                        // truncated sequence
  CHECK(json_quote("\xc0\xaf") == "\"\\ufffd\\ufffd\"");             // overlong encoding
  CHECK(json_quote("\xed\xa0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");  // a UTF-16 surrogate
}

TEST_CASE("JsonWriter places commas between members and elements") {
  JsonWriter json;
  json.begin_object().key("name").value("events").key("partitions").value(int64_t{3});
  json.key("replicas").begin_array().value(int64_t{0}).value(int64_t{1}).end_array();
  json.key("empty").begin_array().end_array();
  json.key("nested").begin_object().key("ok").value(true).key("none").null().end_object();
  json.end_object();
  CHECK(json.str() ==
        R"({"name":"events","partitions":3,"replicas":[0,1],"empty":[],"nested":{"ok":true,"none":null}})");
}

TEST_CASE("JsonWriter writes arrays of objects") {
  JsonWriter json;
  json.begin_array();
  json.begin_object().key("a").value(int32_t{1}).end_object();
  json.begin_object().key("b").value(int32_t{-2}).end_object();
  json.end_array();
  CHECK(json.str() == R"([{"a":1},{"b":-2}])");
}

TEST_CASE("JsonWriter escapes keys as well as values") {
  JsonWriter json;
  json.begin_object().key("we\"ird").value("va\nlue").end_object();
  CHECK(json.str() == R"({"we\"ird":"va\nlue"})");
}
