#pragma once
// RecordFormatter: renders consumed records with kcat's format tokens, for `millrace consume --format`.
//
//   %t topic   %p partition   %o offset   %k key   %v value   %T timestamp (ms since the epoch)   %% a '%'
//   \n newline   \t tab   \r carriage return   \\ a backslash
//
// A null key or value renders as nothing. Everything else is copied as is. Parsing is strict: an unknown
// token or a dangling '%' / '\' is an error, so typos show up at once. Immutable after parse(); thread-safe.
#include <string>
#include <string_view>
#include <vector>

#include "millrace/client/consumer_record.h"
#include "millrace/protocol/result.h"

namespace millrace::cli {

class RecordFormatter {
 public:
  static constexpr std::string_view kDefaultFormat = "%v\\n";

  // Errors: client::errc::invalid_argument naming the bad token.
  static Result<RecordFormatter> parse(std::string_view format);

  // Appends the rendering of `record` to `out`.
  void render(const client::ConsumerRecord& record, std::string& out) const;
  std::string render(const client::ConsumerRecord& record) const;

 private:
  enum class Field { literal, topic, partition, offset, key, value, timestamp };
  struct Piece {
    Field field;
    std::string text;  // for literals
  };

  std::vector<Piece> pieces_;
};

}  // namespace millrace::cli
