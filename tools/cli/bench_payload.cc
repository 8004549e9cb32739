#include "bench_payload.h"

#include <cassert>

namespace millrace::cli {

namespace {

void put_u64(char* out, uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

uint64_t get_u64(const char* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  return value;
}

}  // namespace

std::string make_payload(size_t size_bytes, uint64_t seed) {
  std::string out(size_bytes, '\0');
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;  // xorshift64*: cheap, and no byte pattern repeats
  for (char& c : out) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    c = static_cast<char>((state * 0x2545F4914F6CDD1Dull) >> 56);
  }
  return out;
}

void write_stamp(std::string& value, const PayloadStamp& stamp) {
  assert(value.size() >= kStampBytes);
  write_stamp(value.data(), stamp);
}

void write_stamp(char* value, const PayloadStamp& stamp) {
  put_u64(value, static_cast<uint64_t>(stamp.intended_send_ns));
  put_u64(value + 8, stamp.index);
}

std::optional<PayloadStamp> read_stamp(std::string_view value) {
  if (value.size() < kStampBytes) return std::nullopt;
  return PayloadStamp{static_cast<int64_t>(get_u64(value.data())), get_u64(value.data() + 8)};
}

}  // namespace millrace::cli
