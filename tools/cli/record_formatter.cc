#include "record_formatter.h"

#include "millrace/client/errc.h"

namespace millrace::cli {

namespace {

Error bad_format(std::string_view format, const std::string& why) {
  return make_error(client::errc::invalid_argument, "--format '" + std::string(format) + "': " + why);
}

}  // namespace

Result<RecordFormatter> RecordFormatter::parse(std::string_view format) {
  RecordFormatter out;
  std::string literal;
  const auto flush_literal = [&] {
    if (literal.empty()) return;
    out.pieces_.push_back(Piece{Field::literal, std::move(literal)});
    literal.clear();
  };
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c != '%' && c != '\\') {
      literal.push_back(c);
      continue;
    }
    if (i + 1 == format.size()) return bad_format(format, std::string("dangling '") + c + "' at the end");
    const char next = format[++i];
    if (c == '\\') {
      switch (next) {
        case 'n':
          literal.push_back('\n');
          break;
        case 't':
          literal.push_back('\t');
          break;
        case 'r':
          literal.push_back('\r');
          break;
        case '\\':
          literal.push_back('\\');
          break;
        default:
          return bad_format(format, std::string("unknown escape '\\") + next + "'");
      }
      continue;
    }
    Field field;
    switch (next) {
      case '%':
        literal.push_back('%');
        continue;
      case 't':
        field = Field::topic;
        break;
      case 'p':
        field = Field::partition;
        break;
      case 'o':
        field = Field::offset;
        break;
      case 'k':
        field = Field::key;
        break;
      case 'v':
        field = Field::value;
        break;
      case 'T':
        field = Field::timestamp;
        break;
      default:
        return bad_format(format, std::string("unknown token '%") + next + "' (known: %t %p %o %k %v %T %%)");
    }
    flush_literal();
    out.pieces_.push_back(Piece{field, {}});
  }
  flush_literal();
  return out;
}

void RecordFormatter::render(const client::ConsumerRecord& record, std::string& out) const {
  for (const Piece& piece : pieces_) {
    switch (piece.field) {
      case Field::literal:
        out += piece.text;
        break;
      case Field::topic:
        out += record.topic;
        break;
      case Field::partition:
        out += std::to_string(record.partition.value);
        break;
      case Field::offset:
        out += std::to_string(record.offset.value);
        break;
      case Field::key:
        out += record.key.value_or("");
        break;
      case Field::value:
        out += record.value.value_or("");
        break;
      case Field::timestamp:
        out += std::to_string(record.timestamp_ms);
        break;
    }
  }
}

std::string RecordFormatter::render(const client::ConsumerRecord& record) const {
  std::string out;
  render(record, out);
  return out;
}

}  // namespace millrace::cli
