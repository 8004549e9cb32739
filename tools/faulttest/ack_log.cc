#include "ack_log.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace millrace::faulttest {

std::string record_value(int32_t producer, int32_t partition, int64_t sequence) {
  return std::to_string(producer) + "/" + std::to_string(partition) + "/" + std::to_string(sequence);
}

namespace {
template <class T>
bool parse_number(std::string_view text, T& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}
}  // namespace

std::optional<ValueId> parse_value(const std::string& value) {
  const auto first = value.find('/');
  if (first == std::string::npos) return std::nullopt;
  const auto second = value.find('/', first + 1);
  if (second == std::string::npos) return std::nullopt;
  const std::string_view v(value);
  ValueId id;
  if (!parse_number(v.substr(0, first), id.producer) ||
      !parse_number(v.substr(first + 1, second - first - 1), id.partition) ||
      !parse_number(v.substr(second + 1), id.sequence))
    return std::nullopt;
  return id;
}

bool write_ack_log(const std::string& path, const std::vector<AckEntry>& entries) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& e : entries) {
    out << e.producer << '\t' << e.partition << '\t' << e.sequence << '\t' << e.offset << '\t' << e.send_ms
        << '\t' << e.done_ms << '\t' << (e.acknowledged ? 1 : 0) << '\n';
  }
  return static_cast<bool>(out);
}

std::optional<std::vector<AckEntry>> read_ack_log(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::vector<AckEntry> entries;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    AckEntry e;
    int acknowledged = 0;
    if (!(fields >> e.producer >> e.partition >> e.sequence >> e.offset >> e.send_ms >> e.done_ms >>
          acknowledged))
      return std::nullopt;
    e.acknowledged = acknowledged != 0;
    entries.push_back(e);
  }
  return entries;
}

}  // namespace millrace::faulttest
