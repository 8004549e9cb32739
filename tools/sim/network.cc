#include "network.h"

namespace millrace::sim {

using replication::Message;

namespace {
constexpr int64_t kMinDelayMs = 1;
constexpr int64_t kMaxDelayMs = 8;
constexpr double kSlowMessageProbability = 0.05;  // these overtake-or-get-overtaken: reordering
constexpr int64_t kMaxSlowDelayMs = 80;
constexpr int64_t kMinFlapMs = 5;
constexpr int64_t kMaxFlapMs = 60;
}  // namespace

Network::Network(int nodes, const SimOptions& options, replication::Prng& prng, EventQueue& queue,
                 TraceHash& trace)
    : nodes_(nodes),
      options_(options),
      prng_(prng),
      queue_(queue),
      trace_(trace),
      up_(static_cast<size_t>(nodes * nodes), true) {}

void Network::send(Message message) {
  ++stats_.sent;
  const int from = message.from.value;
  const int to = message.to.value;
  if (to < 0 || to >= nodes_ || !link_up(from, to) || prng_.chance(options_.drop_probability)) {
    ++stats_.dropped;
    return;
  }
  if (prng_.chance(options_.duplicate_probability)) {
    ++stats_.duplicated;
    schedule_delivery(message);
  }
  schedule_delivery(message);
}

void Network::schedule_delivery(const Message& message) {
  int64_t delay = prng_.uniform(kMinDelayMs, kMaxDelayMs);
  if (prng_.chance(kSlowMessageProbability)) delay += prng_.uniform(kMaxDelayMs, kMaxSlowDelayMs);
  queue_.schedule_after(delay, [this, message] {
    // A link that went down meanwhile loses what was in flight on it.
    if (!link_up(message.from.value, message.to.value)) {
      ++stats_.dropped;
      return;
    }
    ++stats_.delivered;
    receiver_(message);
  });
}

void Network::heal() {
  up_.assign(up_.size(), true);
  ++flap_generation_;
}

void Network::isolate(int node) {
  for (int other = 0; other < nodes_; ++other) {
    if (other == node) continue;
    set_link(node, other, false);
    set_link(other, node, false);
  }
}

void Network::split(const std::vector<int>& group_of) {
  for (int a = 0; a < nodes_; ++a) {
    for (int b = 0; b < nodes_; ++b)
      set_link(a, b, group_of[static_cast<size_t>(a)] == group_of[static_cast<size_t>(b)]);
  }
}

void Network::flap(int a, int b, int toggles) {
  flap_step(a, b, toggles, flap_generation_);
}

void Network::flap_step(int a, int b, int toggles_left, uint64_t generation) {
  if (generation != flap_generation_) return;  // healed meanwhile
  const bool up = toggles_left <= 0 ? true : !link_up(a, b);
  set_link(a, b, up);
  set_link(b, a, up);
  trace_.add(static_cast<uint64_t>(a * 100 + b));
  if (toggles_left <= 0) return;
  queue_.schedule_after(prng_.uniform(kMinFlapMs, kMaxFlapMs), [this, a, b, toggles_left, generation] {
    flap_step(a, b, toggles_left - 1, generation);
  });
}

}  // namespace millrace::sim
