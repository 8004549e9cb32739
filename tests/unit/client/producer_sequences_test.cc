// The idempotent producer's sequence bookkeeping: stamping, outstanding batches, partition resets.
#include <catch2/catch.hpp>

#include "millrace/protocol/record_batch.h"
#include "producer_sequences.h"

using namespace millrace;
using namespace millrace::client;
using namespace millrace::client::internal;

namespace {

const TopicPartition kP0{"t", PartitionId{0}};
const TopicPartition kP1{"t", PartitionId{1}};

std::unique_ptr<ProducerBatch> closed_batch(const TopicPartition& tp, int records) {
  auto batch = std::make_unique<ProducerBatch>(tp, 1, 0, 1 << 20);
  for (int i = 0; i < records; ++i) {
    protocol::Record r;
    r.value = "v";
    batch->append(r, {});
  }
  batch->close();
  return batch;
}

}  // namespace

TEST_CASE("batches are stamped with consecutive sequences per partition, in the batch bytes too") {
  ProducerSequences seq;
  seq.set_producer_id(42, 0);
  auto a = closed_batch(kP0, 3);
  auto b = closed_batch(kP0, 2);
  auto c = closed_batch(kP1, 1);
  seq.stamp(*a);
  seq.stamp(*b);
  seq.stamp(*c);
  CHECK(a->base_sequence() == 0);
  CHECK(b->base_sequence() == 3);
  CHECK(c->base_sequence() == 0);
  const auto header = protocol::read_batch_header(b->bytes());
  CHECK(header.producer_id == 42);
  CHECK(header.producer_epoch == 0);
  CHECK(header.base_sequence == 3);
  CHECK(protocol::validate_batches(b->bytes(), 1 << 20).ok());  // the CRC was recomputed
}

TEST_CASE("out of order is explained only by an earlier outstanding batch") {
  ProducerSequences seq;
  seq.set_producer_id(42, 0);
  auto a = closed_batch(kP0, 1);
  auto b = closed_batch(kP0, 1);
  seq.stamp(*a);
  seq.stamp(*b);
  CHECK(seq.has_earlier_outstanding(*b));
  CHECK_FALSE(seq.has_earlier_outstanding(*a));
  seq.acknowledged(*a);
  CHECK_FALSE(seq.has_earlier_outstanding(*b));
}

TEST_CASE("a reset partition resumes at sequence 0 under a fresh id once nothing is outstanding") {
  ProducerSequences seq;
  CHECK(seq.needs_new_id());
  seq.set_producer_id(42, 0);
  CHECK_FALSE(seq.needs_new_id());
  auto a = closed_batch(kP0, 1);
  auto b = closed_batch(kP0, 1);
  auto other = closed_batch(kP1, 1);
  seq.stamp(*a);
  seq.stamp(*b);
  seq.stamp(*other);
  seq.abandoned(*a);  // failed for good
  seq.reset(kP0);
  CHECK(seq.is_resetting(kP0));
  CHECK(seq.needs_new_id());
  CHECK(seq.ready_to_resume().empty());  // no new id yet
  seq.set_producer_id(43, 0);
  CHECK(seq.ready_to_resume().empty());  // b is still outstanding
  seq.acknowledged(*b);
  CHECK(seq.ready_to_resume() == std::vector<TopicPartition>{kP0});
  auto c = closed_batch(kP0, 1);
  seq.stamp(*c);
  CHECK(c->producer_id() == 43);
  CHECK(c->base_sequence() == 0);
  auto d = closed_batch(kP1, 1);  // other partitions keep their id and sequences
  seq.stamp(*d);
  CHECK(d->producer_id() == 42);
  CHECK(d->base_sequence() == 1);
}
