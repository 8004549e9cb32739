#include "frame_tracker.h"

#include <algorithm>

#include "millrace/protocol/byte_order.h"

namespace millrace::faultproxy {

namespace frame_format = protocol::frame_format;

FrameTracker::FrameTracker(uint32_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

void FrameTracker::emit(ByteView bytes, Buffer& out, Outcome& outcome) const {
  if (dropping_) {
    outcome.dropped_bytes += bytes.size();
  } else {
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
}

void FrameTracker::finish_prefix(Outcome& outcome) {
  const auto frame_length = protocol::load_be<uint32_t>(prefix_.data());
  prefix_bytes_seen_ = 0;
  if (frame_length < frame_format::kFrameFixedBytes || frame_length > max_frame_bytes_) {
    framed_ = false;  // not a Millrace frame: stop tracking, pass the rest of the stream
    if (dropping_) ++outcome.dropped_frames;
    dropping_ = false;
    return;
  }
  body_bytes_left_ = frame_length;
}

FrameTracker::Outcome FrameTracker::filter(ByteView in, Buffer& out,
                                           const std::function<bool()>& drop_frame) {
  Outcome outcome;
  while (!in.empty()) {
    if (!framed_) {
      out.insert(out.end(), in.begin(), in.end());
      break;
    }
    if (body_bytes_left_ == 0) {
      if (prefix_bytes_seen_ == 0) dropping_ = drop_frame();  // first byte of a new frame
      const size_t n = std::min(prefix_.size() - prefix_bytes_seen_, in.size());
      std::copy_n(in.begin(), n, prefix_.begin() + static_cast<ptrdiff_t>(prefix_bytes_seen_));
      emit(in.first(n), out, outcome);
      prefix_bytes_seen_ += n;
      in = in.subspan(n);
      if (prefix_bytes_seen_ == prefix_.size()) finish_prefix(outcome);
      continue;
    }
    const size_t n = static_cast<size_t>(std::min<uint64_t>(body_bytes_left_, in.size()));
    emit(in.first(n), out, outcome);
    body_bytes_left_ -= n;
    in = in.subspan(n);
    if (body_bytes_left_ == 0 && dropping_) {
      ++outcome.dropped_frames;
      dropping_ = false;
    }
  }
  return outcome;
}

}  // namespace millrace::faultproxy
