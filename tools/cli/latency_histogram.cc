#include "latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace millrace::cli {

namespace {
constexpr double kRankTolerance = 1e-6;
}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(static_cast<size_t>(kBucketCount), 0) {}

int64_t LatencyHistogram::bucket_index(int64_t value_ns) {
  const auto value = static_cast<uint64_t>(std::clamp<int64_t>(value_ns, 0, kMaxValueNs));
  if (value < static_cast<uint64_t>(kSubBucketCount)) return static_cast<int64_t>(value);
  // value in [2^(kSubBucketBits-1+shift), 2^(kSubBucketBits+shift)): drop `shift` low bits.
  const int shift = std::bit_width(value) - kSubBucketBits;
  const auto top = static_cast<int64_t>(value >> shift);  // in [kSubBucketHalf, kSubBucketCount)
  return kSubBucketCount + (shift - 1) * kSubBucketHalf + (top - kSubBucketHalf);
}

int64_t LatencyHistogram::highest_value_in_bucket(int64_t index) {
  if (index < kSubBucketCount) return index;
  const int64_t shift = (index - kSubBucketCount) / kSubBucketHalf + 1;
  const int64_t top = (index - kSubBucketCount) % kSubBucketHalf + kSubBucketHalf;
  return ((top + 1) << shift) - 1;
}

void LatencyHistogram::record(int64_t value_ns) {
  const int64_t value = std::clamp<int64_t>(value_ns, 0, kMaxValueNs);
  ++counts_[static_cast<size_t>(bucket_index(value))];
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += static_cast<double>(value);
  ++count_;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
  count_ += other.count_;
}

void LatencyHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = 0;
  max_ = 0;
  sum_ = 0;
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
}

int64_t LatencyHistogram::percentile(double percentile) const {
  if (count_ == 0) return 0;
  const double fraction = std::clamp(percentile, 0.0, 100.0) / 100.0;
  // Nearest rank: the value at position ceil(fraction * count) (1-based), at least the first. The small
  // tolerance keeps decimal fractions that binary cannot hold (0.999 * 1000 = 999.0000000000001) exact.
  const double position = fraction * static_cast<double>(count_) - kRankTolerance;
  const auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(position)));
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_value_in_bucket(static_cast<int64_t>(i)), max_);
  }
  return max_;
}

}  // namespace millrace::cli
