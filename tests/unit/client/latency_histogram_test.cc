// LatencyHistogram: bucket math, percentiles (nearest rank), merge, clamping.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "latency_histogram.h"

using millrace::cli::LatencyHistogram;

namespace {

// The exact nearest-rank percentile of `values`.
int64_t exact_percentile(std::vector<int64_t> values, double percentile) {
  std::sort(values.begin(), values.end());
  // ceil(p% of n), with the tolerance for decimal fractions binary cannot hold (99.9% of 100000).
  auto rank = static_cast<size_t>(std::ceil(percentile / 100.0 * static_cast<double>(values.size()) - 1e-6));
  rank = std::max<size_t>(rank, 1);
  return values[rank - 1];
}

}  // namespace

TEST_CASE("an empty histogram reports zeros") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.percentile(50) == 0);
  CHECK(h.percentile(99.9) == 0);
  CHECK(h.max() == 0);
  CHECK(h.min() == 0);
  CHECK(h.mean() == 0.0);
}

TEST_CASE("small values are counted exactly") {
  LatencyHistogram h;
  for (int64_t v = 1; v <= 100; ++v) h.record(v);
  CHECK(h.count() == 100);
  CHECK(h.min() == 1);
  CHECK(h.max() == 100);
  CHECK(h.percentile(50) == 50);
  CHECK(h.percentile(99) == 99);
  CHECK(h.percentile(99.9) == 100);
  CHECK(h.percentile(100) == 100);
  CHECK(h.percentile(0) == 1);
  CHECK(h.mean() == Approx(50.5));
}

TEST_CASE("bucket boundaries: every value lies in its bucket, within 1/1024 of the bucket's top") {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{2047}, int64_t{2048}, int64_t{2049}, int64_t{4095},
                    int64_t{4096}, int64_t{1'000'000}, int64_t{123'456'789}, LatencyHistogram::kMaxValueNs}) {
    const int64_t index = LatencyHistogram::bucket_index(v);
    REQUIRE(index >= 0);
    REQUIRE(index < LatencyHistogram::kBucketCount);
    const int64_t top = LatencyHistogram::highest_value_in_bucket(index);
    CHECK(top >= v);
    CHECK(static_cast<double>(top - v) <= static_cast<double>(v) / 1024.0);
    if (index > 0) CHECK(LatencyHistogram::highest_value_in_bucket(index - 1) < v);
  }
  CHECK(LatencyHistogram::bucket_index(LatencyHistogram::kMaxValueNs) == LatencyHistogram::kBucketCount - 1);
}

TEST_CASE("bucket indexes increase with the value, without gaps") {
  int64_t previous = LatencyHistogram::bucket_index(0);
  bool monotonic_without_gaps = true;
  for (int64_t v = 1; v < (int64_t{1} << 20); ++v) {
    const int64_t index = LatencyHistogram::bucket_index(v);
    if (index != previous && index != previous + 1) monotonic_without_gaps = false;
    previous = index;
  }
  CHECK(monotonic_without_gaps);
  CHECK(previous == LatencyHistogram::bucket_index((int64_t{1} << 20) - 1));
}

TEST_CASE("percentiles of a random sample are within 0.1% of the exact ones") {
  std::mt19937_64 random(42);
  std::lognormal_distribution<double> latency_ns(13.0, 1.0);  // median ~0.44 ms, a long tail
  std::vector<int64_t> values;
  LatencyHistogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<int64_t>(latency_ns(random));
    values.push_back(v);
    h.record(v);
  }
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
    const int64_t exact = exact_percentile(values, p);
    INFO("p" << p << " exact " << exact << " histogram " << h.percentile(p));
    CHECK(h.percentile(p) >= exact);
    CHECK(static_cast<double>(h.percentile(p) - exact) <= static_cast<double>(exact) / 1024.0);
  }
  CHECK(h.max() == *std::max_element(values.begin(), values.end()));
  CHECK(h.min() == *std::min_element(values.begin(), values.end()));
}

TEST_CASE("a percentile is never above the exact maximum") {
  LatencyHistogram h;
  h.record(1'000'001);  // in a bucket whose top is higher
  CHECK(h.percentile(50) == 1'000'001);
  CHECK(h.percentile(100) == 1'000'001);
}

TEST_CASE("one slow value in a thousand moves p99.9 but not p99") {
  LatencyHistogram h;
  for (int i = 0; i < 999; ++i) h.record(1'000'000);  // 1 ms
  h.record(5'000'000'000);                            // one 5 s stall
  CHECK(h.percentile(99) <= 1'001'000);
  CHECK(h.percentile(99.9) <= 1'001'000);  // rank 999 of 1000 is still 1 ms
  CHECK(h.percentile(99.95) == 5'000'000'000);
  CHECK(h.max() == 5'000'000'000);
}

TEST_CASE("negative values count as zero and huge ones are clamped") {
  LatencyHistogram h;
  h.record(-5);
  h.record(LatencyHistogram::kMaxValueNs * 4);
  CHECK(h.count() == 2);
  CHECK(h.min() == 0);
  CHECK(h.max() == LatencyHistogram::kMaxValueNs);
}

TEST_CASE("merge adds counts, keeps min and max") {
  LatencyHistogram a, b, both;
  for (int64_t v = 1; v <= 1000; ++v) {
    (v % 2 ? a : b).record(v * 1000);
    both.record(v * 1000);
  }
  LatencyHistogram merged;
  merged.merge(a);
  merged.merge(b);
  merged.merge(LatencyHistogram{});
  CHECK(merged.count() == both.count());
  CHECK(merged.min() == both.min());
  CHECK(merged.max() == both.max());
  CHECK(merged.mean() == Approx(both.mean()));
  for (double p : {1.0, 50.0, 99.0, 99.9}) CHECK(merged.percentile(p) == both.percentile(p));
  merged.reset();
  CHECK(merged.count() == 0);
  CHECK(merged.percentile(50) == 0);
}
