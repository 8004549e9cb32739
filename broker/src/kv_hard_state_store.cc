#include "millrace/broker/kv_hard_state_store.h"

#include "millrace/protocol/errc.h"

namespace millrace::broker {

namespace {
// Value layout: int32 term, int32 voted_for (-1: none), both big-endian.
constexpr size_t kValueBytes = 8;

void put_i32(std::string& out, int32_t v) {
  const auto u = static_cast<uint32_t>(v);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xFF));
}

int32_t get_i32(const std::string& in, size_t at) {
  uint32_t u = 0;
  for (size_t i = 0; i < 4; ++i) u = (u << 8) | static_cast<uint8_t>(in[at + i]);
  return static_cast<int32_t>(u);
}
}  // namespace

KvHardStateStore::KvHardStateStore(storage::KvStore& store, const RaftGroupId& group)
    : store_(store),
      key_("raft/" + (group.is_controller() ? std::string("@controller") : group.to_string())) {}

Result<replication::HardState> KvHardStateStore::load() const {
  auto value = store_.get(key_);
  if (!value) return std::move(value).error();
  if (!value->has_value()) return replication::HardState{};
  const std::string& v = **value;
  if (v.size() != kValueBytes) {
    return make_error(protocol::errc::kafka_storage_error, "hard state under '" + key_ + "' is malformed");
  }
  replication::HardState state;
  state.term = replication::Term{get_i32(v, 0)};
  const int32_t vote = get_i32(v, 4);
  if (vote >= 0) state.voted_for = NodeId{vote};
  return state;
}

Status KvHardStateStore::save(const replication::HardState& state) {
  std::string v;
  put_i32(v, state.term.value);
  put_i32(v, state.voted_for ? state.voted_for->value : -1);
  return store_.put(key_, v);
}

Status KvHardStateStore::erase() {
  return store_.erase(key_);
}

}  // namespace millrace::broker
