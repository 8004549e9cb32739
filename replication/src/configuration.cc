#include "millrace/replication/configuration.h"

#include <algorithm>
#include <iterator>
#include <optional>

#include "millrace/protocol/byte_order.h"
#include "millrace/replication/errc.h"

namespace millrace::replication {

using protocol::load_be;
using protocol::store_be;

namespace {

constexpr int16_t kEncodingVersion = 0;

bool has(const std::vector<NodeId>& ids, NodeId node) {
  return std::binary_search(ids.begin(), ids.end(), node);
}

void insert_sorted(std::vector<NodeId>& ids, NodeId node) {
  ids.insert(std::upper_bound(ids.begin(), ids.end(), node), node);
}

void erase(std::vector<NodeId>& ids, NodeId node) {
  ids.erase(std::remove(ids.begin(), ids.end(), node), ids.end());
}

Error invalid(const std::string& what) {
  return make_error(errc::invalid_configuration_change, what);
}

void encode_ids(Buffer& out, const std::vector<NodeId>& ids) {
  const size_t at = out.size();
  out.resize(at + 4 + 4 * ids.size());
  store_be<int32_t>(out.data() + at, static_cast<int32_t>(ids.size()));
  for (size_t i = 0; i < ids.size(); ++i) store_be<int32_t>(out.data() + at + 4 + 4 * i, ids[i].value);
}

// Reads a count and that many ids at `pos`; nullopt if the bytes are short or the ids are not ascending.
std::optional<std::vector<NodeId>> decode_ids(ByteView bytes, size_t& pos) {
  if (bytes.size() - pos < 4) return std::nullopt;
  const int32_t count = load_be<int32_t>(bytes.data() + pos);
  pos += 4;
  if (count < 0 || static_cast<size_t>(count) > kMaxMembers) return std::nullopt;
  if (bytes.size() - pos < 4 * static_cast<size_t>(count)) return std::nullopt;
  std::vector<NodeId> ids;
  for (int32_t i = 0; i < count; ++i, pos += 4) {
    const NodeId id{load_be<int32_t>(bytes.data() + pos)};
    if (!ids.empty() && id <= ids.back()) return std::nullopt;
    ids.push_back(id);
  }
  return ids;
}

std::string ids_to_string(const std::vector<NodeId>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? " " : "") + std::to_string(ids[i].value);
  return out + "]";
}

}  // namespace

Configuration Configuration::of_voters(std::vector<NodeId> voters) {
  std::sort(voters.begin(), voters.end());
  voters.erase(std::unique(voters.begin(), voters.end()), voters.end());
  return Configuration{std::move(voters), {}};
}

bool Configuration::is_voter(NodeId node) const {
  return has(voters, node);
}

bool Configuration::is_learner(NodeId node) const {
  return has(learners, node);
}

std::vector<NodeId> Configuration::members() const {
  std::vector<NodeId> all;
  std::merge(voters.begin(), voters.end(), learners.begin(), learners.end(), std::back_inserter(all));
  return all;
}

Result<Configuration> Configuration::apply(const ConfigChange& change) const {
  Configuration next = *this;
  const std::string node = "node " + std::to_string(change.node.value);
  switch (change.kind) {
    case ConfigChangeKind::add_learner:
      if (contains(change.node)) return invalid(node + " is already a member");
      if (voters.size() + learners.size() >= kMaxMembers) return invalid("too many members");
      insert_sorted(next.learners, change.node);
      return next;
    case ConfigChangeKind::promote_learner:
      if (!is_learner(change.node)) return invalid(node + " is not a learner");
      erase(next.learners, change.node);
      insert_sorted(next.voters, change.node);
      return next;
    case ConfigChangeKind::remove_node:
      if (!contains(change.node)) return invalid(node + " is not a member");
      if (is_voter(change.node) && voters.size() == 1) return invalid("cannot remove the last voter");
      erase(next.voters, change.node);
      erase(next.learners, change.node);
      return next;
  }
  return invalid("unknown change kind");
}

Buffer Configuration::encode() const {
  Buffer out(2);
  store_be<int16_t>(out.data(), kEncodingVersion);
  encode_ids(out, voters);
  encode_ids(out, learners);
  return out;
}

Result<Configuration> Configuration::decode(ByteView bytes) {
  const Error bad = make_error(errc::invalid_batch, "malformed configuration record");
  if (bytes.size() < 2 || load_be<int16_t>(bytes.data()) != kEncodingVersion) return bad;
  size_t pos = 2;
  auto voters = decode_ids(bytes, pos);
  if (!voters) return bad;
  auto learners = decode_ids(bytes, pos);
  if (!learners || pos != bytes.size()) return bad;
  Configuration configuration{std::move(*voters), std::move(*learners)};
  for (NodeId learner : configuration.learners) {
    if (configuration.is_voter(learner)) return bad;
  }
  return configuration;
}

std::string Configuration::to_string() const {
  return "voters " + ids_to_string(voters) + " learners " + ids_to_string(learners);
}

}  // namespace millrace::replication
