#pragma once
// LatencyHistogram: a fixed-memory, HDR-style histogram of latencies in nanoseconds, for `millrace bench`.
//
// Buckets are log-linear: values below 2^kSubBucketBits ns are counted exactly; above, every power-of-two
// range is split into 2^(kSubBucketBits-1) equal buckets, so a recorded value is known to within
// 1/2^(kSubBucketBits-1) (about 0.1%) of itself. Values above kMaxValueNs (about 18 minutes) are clamped to
// it. Memory is fixed at construction (kBucketCount counters, about 250 KiB); record() never allocates.
//
// percentile(p) is the smallest bucket value v such that at least p% of the recorded values are <= v (the
// nearest-rank definition), reported as the highest value that bucket can hold, but never above the exact
// maximum. min(), max(), count() and mean() are exact.
//
// Not thread-safe: give each recording thread its own histogram and merge() them afterwards.
#include <cstdint>
#include <vector>

namespace millrace::cli {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 11;
  static constexpr int64_t kSubBucketCount = int64_t{1} << kSubBucketBits;  // values counted exactly
  static constexpr int64_t kSubBucketHalf = kSubBucketCount / 2;            // buckets per power of two
  static constexpr int kMaxValueBits = 40;
  static constexpr int64_t kMaxValueNs = (int64_t{1} << kMaxValueBits) - 1;
  static constexpr int64_t kBucketCount = kSubBucketCount + (kMaxValueBits - kSubBucketBits) * kSubBucketHalf;

  LatencyHistogram();

  // Counts one value; negative values count as 0, values above kMaxValueNs as kMaxValueNs.
  void record(int64_t value_ns);
  // Adds every count of `other`.
  void merge(const LatencyHistogram& other);
  void reset();

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  double mean() const;
  // `percentile` in [0, 100]; 0 when nothing was recorded.
  int64_t percentile(double percentile) const;

  // The bucket a value falls in, and the highest value that bucket holds (exposed for tests).
  static int64_t bucket_index(int64_t value_ns);
  static int64_t highest_value_in_bucket(int64_t index);

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace millrace::cli
