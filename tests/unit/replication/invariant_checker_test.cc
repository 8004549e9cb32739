// The simulator's invariant checker fails when it should: each property, broken on purpose.
#include <catch2/catch.hpp>

#include "invariant_checker.h"
#include "millrace/protocol/record_batch.h"
#include "test_cluster.h"

using namespace millrace;
using namespace millrace::replication;
using namespace millrace::replication::test;
using millrace::sim::InvariantChecker;

namespace {

Entry entry_at(int64_t base, int32_t term, const std::string& tag) {
  Buffer batch = data_batch(tag);
  protocol::set_base_offset(batch, base);
  protocol::set_partition_leader_epoch(batch, term);
  return Entry::from_batch(std::move(batch)).value();
}

std::vector<LogOp> append(std::vector<Entry> entries) {
  return {AppendOp{std::move(entries)}};
}

}  // namespace

TEST_CASE("checker: two leaders in one term") {
  InvariantChecker checker(3);
  checker.on_leader(0, Term{1});
  checker.on_leader(0, Term{1});
  CHECK(checker.ok());
  checker.on_leader(1, Term{1});
  CHECK_THAT(checker.violation(), Catch::Contains("election safety"));
}

TEST_CASE("checker: a term that goes back, a second vote in one term") {
  InvariantChecker checker(1);
  checker.on_hard_state(0, HardState{Term{2}, NodeId{0}}, HardState{Term{2}, NodeId{0}});
  CHECK(checker.ok());
  checker.on_hard_state(0, HardState{Term{2}, NodeId{0}}, HardState{Term{2}, NodeId{1}});
  CHECK_THAT(checker.violation(), Catch::Contains("voted twice"));
  InvariantChecker back(1);
  back.on_hard_state(0, HardState{Term{3}, std::nullopt}, HardState{Term{2}, std::nullopt});
  CHECK_THAT(back.violation(), Catch::Contains("term went back"));
}

TEST_CASE("checker: same offset and term, different history") {
  InvariantChecker checker(2);
  checker.on_log_ops(0, append({entry_at(0, 1, "a"), entry_at(1, 1, "b")}));
  checker.on_log_ops(1, append({entry_at(0, 1, "a"), entry_at(1, 1, "b")}));
  CHECK(checker.ok());
  InvariantChecker broken(2);
  broken.on_log_ops(0, append({entry_at(0, 1, "a"), entry_at(1, 2, "b")}));
  broken.on_log_ops(1, append({entry_at(0, 1, "x"), entry_at(1, 2, "b")}));
  CHECK_THAT(broken.violation(), Catch::Contains("log matching"));
}

TEST_CASE("checker: commit going back, different committed entries, a committed entry truncated") {
  InvariantChecker checker(2);
  checker.on_log_ops(0, append({entry_at(0, 1, "a"), entry_at(1, 1, "b")}));
  checker.on_log_ops(1, append({entry_at(0, 1, "a"), entry_at(1, 2, "c")}));
  checker.on_commit(0, Offset{2});
  CHECK(checker.ok());
  CHECK(checker.committed_end() == Offset{2});
  checker.on_commit(1, Offset{2});
  CHECK_THAT(checker.violation(), Catch::Contains("committed a different entry"));

  InvariantChecker back(1);
  back.on_log_ops(0, append({entry_at(0, 1, "a")}));
  back.on_commit(0, Offset{1});
  back.on_commit(0, Offset{0});
  CHECK_THAT(back.violation(), Catch::Contains("commit index went back"));

  InvariantChecker truncated(1);
  truncated.on_log_ops(0, append({entry_at(0, 1, "a")}));
  truncated.on_commit(0, Offset{1});
  truncated.on_log_ops(0, {TruncateSuffixOp{Offset{0}}});
  CHECK_THAT(truncated.violation(), Catch::Contains("truncated away the committed entry"));
}

TEST_CASE("checker: a leader without a committed entry") {
  InvariantChecker checker(2);
  checker.on_log_ops(0, append({entry_at(0, 1, "a")}));
  checker.on_commit(0, Offset{1});
  checker.on_log_ops(1, append({entry_at(0, 2, "z")}));
  checker.on_leader(1, Term{2});
  CHECK_THAT(checker.violation(), Catch::Contains("leader completeness"));
}
