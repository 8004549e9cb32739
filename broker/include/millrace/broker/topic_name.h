#pragma once
// Topic name rules, as Kafka's: 1 to 249 characters of [a-zA-Z0-9._-], not "." or "..".
#include <string_view>

#include "millrace/protocol/result.h"

namespace millrace::broker {

constexpr size_t kTopicNameMaxLength = 249;

// protocol errc::invalid_topic_exception with the reason, or success.
Status validate_topic_name(std::string_view name);

}  // namespace millrace::broker
