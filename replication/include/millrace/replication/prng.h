#pragma once
// Prng: a small seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64). Raft uses it for
// randomized election timeouts; the simulator for every fault decision. The same seed gives the same sequence
// on every platform (no std::*_distribution, whose output is implementation-defined). Not thread-safe.
#include <cstdint>

namespace millrace::replication {

class Prng {
 public:
  explicit Prng(uint64_t seed);

  uint64_t next();
  // Uniform in [low, high] (inclusive); low <= high.
  int64_t uniform(int64_t low, int64_t high);
  // True with probability `probability` (clamped to [0, 1]).
  bool chance(double probability);

 private:
  uint64_t state_[4];
};

}  // namespace millrace::replication
