#pragma once
// JsonWriter: writes compact, valid JSON (RFC 8259) for the CLI's --json output, without a dependency.
// Strings are escaped; bytes that are not valid UTF-8 become U+FFFD so the output always parses.
// Commas are placed automatically. Not thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::cli {

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // Inside an object: the next value's name.
  JsonWriter& key(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(int64_t number);
  JsonWriter& value(int32_t number) { return value(int64_t{number}); }
  JsonWriter& value(bool flag);
  JsonWriter& null();

  const std::string& str() const { return out_; }

 private:
  void before_value();

  std::string out_;
  std::vector<bool> first_in_scope_;  // one entry per open object/array
  bool after_key_ = false;
};

}  // namespace millrace::cli
