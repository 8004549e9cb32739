#include "invariant_checker.h"

#include <algorithm>
#include <cassert>
#include <optional>

#include "trace_hash.h"

namespace millrace::sim {

using replication::Entry;
using replication::HardState;
using replication::LogOp;
using replication::Term;

namespace {

uint64_t chain_hash(uint64_t previous, const Entry& entry) {
  TraceHash hash;
  hash.add(previous);
  hash.add(TraceHash::of_bytes(entry.batch.data(), entry.batch.size()));
  return hash.value();
}

std::string node_name(int node) {
  return "node " + std::to_string(node);
}

}  // namespace

InvariantChecker::InvariantChecker(int nodes) : mirrors_(static_cast<size_t>(nodes)) {}

void InvariantChecker::fail(std::string what) {
  if (violation_.empty()) violation_ = std::move(what);
}

void InvariantChecker::on_hard_state(int node, const HardState& previous, const HardState& next) {
  if (next.term < previous.term) {
    fail("term went back on " + node_name(node) + ": " + std::to_string(previous.term.value) + " -> " +
         std::to_string(next.term.value));
  }
  if (next.term == previous.term && previous.voted_for && next.voted_for != previous.voted_for) {
    fail(node_name(node) + " voted twice in term " + std::to_string(next.term.value));
  }
}

void InvariantChecker::on_log_ops(int node, const std::vector<LogOp>& ops) {
  for (const LogOp& op : ops) {
    if (const auto* a = std::get_if<replication::AppendOp>(&op)) {
      for (const Entry& entry : a->entries) append(node, entry);
    } else if (const auto* t = std::get_if<replication::TruncateSuffixOp>(&op)) {
      truncate_suffix(node, t->end);
    } else if (const auto* p = std::get_if<replication::TruncatePrefixOp>(&op)) {
      truncate_prefix(node, p->start.offset);
    } else if (const auto* r = std::get_if<replication::ResetOp>(&op)) {
      reset(node, r->start.offset);
    }
  }
}

void InvariantChecker::append(int node, const Entry& entry) {
  Mirror& mirror = mirrors_[static_cast<size_t>(node)];
  const uint64_t previous = mirror.entries.empty() ? mirror.start_chain : mirror.entries.back().chain;
  const MirrorEntry added{entry.base_offset, entry.end_offset(), entry.term, chain_hash(previous, entry)};
  mirror.entries.push_back(added);
  // Log matching: the same (offset, term) anywhere means the same log up to and including it.
  auto [it, inserted] = appended_.emplace(std::make_pair(added.base.value, added.term.value), added.chain);
  if (!inserted && it->second != added.chain) {
    fail("log matching: " + node_name(node) + " holds a different log up to offset " +
         std::to_string(added.base.value) + " term " + std::to_string(added.term.value) +
         " than another node with the same entry offset and term");
  }
}

void InvariantChecker::truncate_suffix(int node, Offset end) {
  Mirror& mirror = mirrors_[static_cast<size_t>(node)];
  while (!mirror.entries.empty() && mirror.entries.back().base >= end) {
    const MirrorEntry& removed = mirror.entries.back();
    const MirrorEntry* committed = committed_at(removed.base);
    if (committed != nullptr && committed->chain == removed.chain) {
      fail("state-machine safety: " + node_name(node) + " truncated away the committed entry at offset " +
           std::to_string(removed.base.value));
    }
    mirror.entries.pop_back();
  }
}

void InvariantChecker::truncate_prefix(int node, Offset start) {
  Mirror& mirror = mirrors_[static_cast<size_t>(node)];
  auto first_kept = std::find_if(mirror.entries.begin(), mirror.entries.end(),
                                 [start](const MirrorEntry& e) { return e.base >= start; });
  if (first_kept != mirror.entries.begin()) mirror.start_chain = (first_kept - 1)->chain;
  mirror.entries.erase(mirror.entries.begin(), first_kept);
  mirror.start = start;
}

void InvariantChecker::reset(int node, Offset start) {
  Mirror& mirror = mirrors_[static_cast<size_t>(node)];
  const auto chain = committed_chain_ending_at(start);
  if (!chain)
    fail("a snapshot at offset " + std::to_string(start.value) + " reached " + node_name(node) +
         " but no committed entry ends there");
  mirror.entries.clear();
  mirror.start = start;
  mirror.start_chain = chain.value_or(0);
  mirror.checked_commit_end = std::max(mirror.checked_commit_end, start);
}

void InvariantChecker::on_crash(int node, Offset flushed) {
  Mirror& mirror = mirrors_[static_cast<size_t>(node)];
  while (!mirror.entries.empty() && mirror.entries.back().base >= flushed) mirror.entries.pop_back();
}

void InvariantChecker::on_restart(int node) {
  Mirror& mirror = mirrors_[static_cast<size_t>(node)];
  mirror.commit_end = mirror.start;
  mirror.checked_commit_end = mirror.start;
}

void InvariantChecker::on_commit(int node, Offset commit_end) {
  Mirror& mirror = mirrors_[static_cast<size_t>(node)];
  if (commit_end < mirror.commit_end) {
    fail("commit index went back on " + node_name(node) + ": " + std::to_string(mirror.commit_end.value) +
         " -> " + std::to_string(commit_end.value));
  }
  mirror.commit_end = commit_end;
  auto first = std::lower_bound(mirror.entries.begin(), mirror.entries.end(), mirror.checked_commit_end,
                                [](const MirrorEntry& e, Offset o) { return e.base < o; });
  for (auto it = first; it != mirror.entries.end(); ++it) {
    const MirrorEntry& entry = *it;
    if (entry.end > commit_end) break;
    const MirrorEntry* committed = committed_at(entry.base);
    if (committed == nullptr) {
      if (entry.base != committed_end()) {
        fail(node_name(node) + " committed offset " + std::to_string(entry.base.value) +
             " but the committed log ends at " + std::to_string(committed_end().value));
        return;
      }
      committed_.push_back(entry);
    } else if (committed->chain != entry.chain || committed->end != entry.end) {
      fail("state-machine safety: " + node_name(node) + " committed a different entry at offset " +
           std::to_string(entry.base.value) + " (term " + std::to_string(entry.term.value) +
           ", committed term " + std::to_string(committed->term.value) + ")");
      return;
    }
  }
  mirror.checked_commit_end = std::max(mirror.checked_commit_end, commit_end);
}

void InvariantChecker::on_leader(int node, Term term) {
  auto [it, inserted] = leaders_.emplace(term.value, node);
  if (!inserted && it->second != node) {
    fail("election safety: " + node_name(it->second) + " and " + node_name(node) + " both lead term " +
         std::to_string(term.value));
  }
  if (!holds_committed_prefix(node)) {
    fail("leader completeness: " + node_name(node) + " became leader of term " + std::to_string(term.value) +
         " without every committed entry (committed end " + std::to_string(committed_end().value) + ")");
  }
}

bool InvariantChecker::holds_committed_prefix(int node) const {
  const Mirror& mirror = mirrors_[static_cast<size_t>(node)];
  const Offset end = committed_end();
  if (end < mirror.start) return true;  // truncated away, and the snapshot was checked
  return chain_ending_at(mirror, end) == committed_chain_ending_at(end);
}

const InvariantChecker::MirrorEntry* InvariantChecker::committed_at(Offset base) const {
  auto it = std::lower_bound(committed_.begin(), committed_.end(), base,
                             [](const MirrorEntry& e, Offset o) { return e.base < o; });
  return it != committed_.end() && it->base == base ? &*it : nullptr;
}

std::optional<uint64_t> InvariantChecker::committed_chain_ending_at(Offset end) const {
  if (end == Offset{0}) return uint64_t{0};
  auto it = std::lower_bound(committed_.begin(), committed_.end(), end,
                             [](const MirrorEntry& e, Offset o) { return e.end < o; });
  if (it == committed_.end() || it->end != end) return std::nullopt;
  return it->chain;
}

std::optional<uint64_t> InvariantChecker::chain_ending_at(const Mirror& mirror, Offset end) const {
  if (end == mirror.start) return mirror.start_chain;
  auto it = std::lower_bound(mirror.entries.begin(), mirror.entries.end(), end,
                             [](const MirrorEntry& e, Offset o) { return e.end < o; });
  if (it == mirror.entries.end() || it->end != end) return std::nullopt;
  return it->chain;
}

}  // namespace millrace::sim
