#include "control_command.h"

#include <charconv>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "proxy_limits.h"

namespace millrace::faultproxy {

namespace {

constexpr std::string_view kCommandList = "pass, delay, blackhole, drop-frames, reset, heal, stats";

Error invalid(std::string message) {
  return make_error(std::errc::invalid_argument, std::move(message));
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t pos = 0;
  while (pos < line.size()) {
    const size_t start = line.find_first_not_of(" \t\r", pos);
    if (start == std::string_view::npos) break;
    const size_t end = line.find_first_of(" \t\r", start);
    words.push_back(line.substr(start, end == std::string_view::npos ? line.size() - start : end - start));
    pos = end == std::string_view::npos ? line.size() : end;
  }
  return words;
}

Result<DirectionSet> parse_directions(std::string_view word) {
  if (word == "up") return DirectionSet::only(Direction::up);
  if (word == "down") return DirectionSet::only(Direction::down);
  if (word == "both") return DirectionSet::both();
  return invalid(fmt::format("direction must be up, down or both (got '{}')", word));
}

Result<uint64_t> parse_number(std::string_view word, std::string_view what, uint64_t max) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc() || end != word.data() + word.size() || value > max) {
    return invalid(fmt::format("{} must be an integer in 0..{} (got '{}')", what, max, word));
  }
  return value;
}

// "delay up|down|both MS" and "drop-frames up|down|both K".
Result<ControlCommand> parse_directed_count(ControlVerb verb, const std::vector<std::string_view>& words,
                                            std::string_view usage, std::string_view what, uint64_t max) {
  if (words.size() != 3) return invalid(fmt::format("usage: {}", usage));
  auto directions = parse_directions(words[1]);
  if (!directions) return directions.error();
  auto value = parse_number(words[2], what, max);
  if (!value) return value.error();
  return ControlCommand{verb, *directions, *value};
}

}  // namespace

Result<ControlCommand> parse_control_command(std::string_view line) {
  const auto words = split_words(line);
  if (words.empty()) return invalid(fmt::format("empty command (commands: {})", kCommandList));
  const std::string_view verb = words[0];
  if (verb == "pass") {
    if (words.size() > 2) return invalid("usage: pass [up|down|both]");
    if (words.size() == 1) return ControlCommand{ControlVerb::pass, DirectionSet::both(), 0};
    auto directions = parse_directions(words[1]);
    if (!directions) return directions.error();
    return ControlCommand{ControlVerb::pass, *directions, 0};
  }
  if (verb == "delay") {
    return parse_directed_count(ControlVerb::delay, words, "delay up|down|both MS", "MS", kDelayMsMax);
  }
  if (verb == "drop-frames") {
    return parse_directed_count(ControlVerb::drop_frames, words, "drop-frames up|down|both K", "K",
                                kDropFramesMax);
  }
  if (verb == "blackhole") {
    if (words.size() != 2) return invalid("usage: blackhole up|down|both");
    auto directions = parse_directions(words[1]);
    if (!directions) return directions.error();
    return ControlCommand{ControlVerb::blackhole, *directions, 0};
  }
  for (const auto& [name, simple] :
       {std::pair{"reset", ControlVerb::reset}, std::pair{"heal", ControlVerb::heal},
        std::pair{"stats", ControlVerb::stats}}) {
    if (verb != name) continue;
    if (words.size() != 1) return invalid(fmt::format("usage: {} (takes no arguments)", name));
    return ControlCommand{simple, {}, 0};
  }
  return invalid(fmt::format("unknown command '{}' (commands: {})", verb, kCommandList));
}

}  // namespace millrace::faultproxy
