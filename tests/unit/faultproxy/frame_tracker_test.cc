// FrameTracker: frame boundaries in a byte stream, whole-frame drops across any chunking.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <set>
#include <string>

#include "frame_tracker.h"
#include "millrace/protocol/byte_order.h"
#include "test_proxy.h"

using millrace::Buffer;
using millrace::ByteView;
using millrace::faultproxy::FrameTracker;
using millrace::faultproxy::testing::make_frame;

namespace {

struct FilterRun {
  std::string out;
  uint64_t dropped_bytes = 0;
  uint64_t dropped_frames = 0;
  int decisions = 0;
};

// Feeds `in` to a fresh tracker in pieces of `chunk` bytes; frames whose 1-based decision number is in
// `drop` are dropped.
FilterRun run_filter(const std::string& in, size_t chunk, const std::set<int>& drop,
                     uint32_t max_frame_bytes = millrace::protocol::frame_format::kDefaultMaxFrameBytes) {
  FrameTracker tracker(max_frame_bytes);
  FilterRun run;
  Buffer out;
  for (size_t pos = 0; pos < in.size(); pos += chunk) {
    const size_t n = std::min(chunk, in.size() - pos);
    const auto outcome = tracker.filter(ByteView(in.data() + pos, n), out, [&] {
      ++run.decisions;
      return drop.count(run.decisions) > 0;
    });
    run.dropped_bytes += outcome.dropped_bytes;
    run.dropped_frames += outcome.dropped_frames;
  }
  run.out.assign(out.begin(), out.end());
  return run;
}

std::string length_prefix(uint32_t length) {
  std::array<char, 4> bytes{};
  millrace::protocol::store_be<uint32_t>(bytes.data(), length);
  return std::string(bytes.data(), bytes.size());
}

}  // namespace

TEST_CASE("frame tracker passes frames intact and asks once per frame", "[frame_tracker]") {
  const std::string frames = make_frame(1) + make_frame(2) + make_frame(3);
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{3}, size_t{7}, size_t{16}, size_t{100}, frames.size()}) {
    INFO("chunk " << chunk);
    const auto run = run_filter(frames, chunk, {});
    CHECK(run.out == frames);
    CHECK(run.decisions == 3);
    CHECK(run.dropped_bytes == 0);
    CHECK(run.dropped_frames == 0);
  }
}

TEST_CASE("frame tracker drops exactly the chosen whole frames across any chunking", "[frame_tracker]") {
  const std::string f1 = make_frame(1), f2 = make_frame(2), f3 = make_frame(3), f4 = make_frame(4),
                    f5 = make_frame(5);
  const std::string frames = f1 + f2 + f3 + f4 + f5;
  for (size_t chunk : {size_t{1}, size_t{3}, size_t{5}, size_t{17}, size_t{64}, frames.size()}) {
    INFO("chunk " << chunk);
    const auto run = run_filter(frames, chunk, {2, 3});
    CHECK(run.out == f1 + f4 + f5);
    CHECK(run.decisions == 5);
    CHECK(run.dropped_frames == 2);
    CHECK(run.dropped_bytes == f2.size() + f3.size());
  }
}

TEST_CASE("frame tracker stops tracking at an impossible length and passes the rest", "[frame_tracker]") {
  SECTION("a length below the fixed header") {
    const std::string garbage = length_prefix(3) + "abcdefghijklmnop" + make_frame(1);
    const auto run = run_filter(garbage, 5, {1, 2, 3});
    CHECK(run.decisions == 1);  // asked at the first prefix, never again
    CHECK(run.dropped_frames == 1);
    CHECK(run.out == garbage.substr(4));  // only the bad prefix itself was dropped (it began a dropped frame)
  }
  SECTION("a length above max_frame_bytes") {
    const std::string big = length_prefix(1000) + std::string(2000, 'x');
    const auto run = run_filter(big, 64, {}, 999);
    CHECK(run.out == big);
    CHECK(run.decisions == 1);
  }
  SECTION("the largest allowed length is still a frame") {
    const std::string frame = length_prefix(20) + std::string(20, 'y');
    const std::string stream = frame + frame;
    const auto run = run_filter(stream, 6, {1}, 20);
    CHECK(run.out == frame);
    CHECK(run.dropped_frames == 1);
  }
}
