#include "millrace/broker/topic_name.h"

#include <string>

#include "millrace/protocol/errc.h"

namespace millrace::broker {

Status validate_topic_name(std::string_view name) {
  using protocol::errc;
  if (name.empty()) return make_error(errc::invalid_topic_exception, "topic name is empty");
  if (name.size() > kTopicNameMaxLength) {
    return make_error(errc::invalid_topic_exception,
                      "topic name is longer than " + std::to_string(kTopicNameMaxLength) + " characters");
  }
  if (name == "." || name == "..") {
    return make_error(errc::invalid_topic_exception, "topic name cannot be '.' or '..'");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) {
      return make_error(errc::invalid_topic_exception,
                        "topic name '" + std::string(name) + "' has a character outside [a-zA-Z0-9._-]");
    }
  }
  return {};
}

}  // namespace millrace::broker
