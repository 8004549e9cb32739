#include "millrace/replication/control_batch.h"

#include <optional>
#include <string>

#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/protocol/record_batch.h"
#include "millrace/protocol/record_batch_builder.h"
#include "millrace/protocol/varint.h"
#include "millrace/replication/errc.h"

namespace millrace::replication {

namespace bf = protocol::batch_format;
using protocol::load_be;
using protocol::store_be;

namespace {

struct ControlRecord {
  ByteView key;
  ByteView value;
};

// The key and value of the first record of `batch` (a control batch holds exactly one).
std::optional<ControlRecord> first_record(ByteView batch) {
  if (batch.size() < bf::kHeaderSize) return std::nullopt;
  const protocol::RecordBatchHeader header = protocol::read_batch_header(batch);
  if (!header.is_control() || header.record_count < 1 || header.size_bytes() > int64_t(batch.size())) {
    return std::nullopt;
  }
  const ByteView records =
      batch.subspan(bf::kHeaderSize, static_cast<size_t>(header.size_bytes()) - bf::kHeaderSize);
  size_t pos = 0;
  const auto length = protocol::read_varint(records, pos);
  if (!length || pos + 1 > records.size()) return std::nullopt;
  ++pos;  // record attributes
  if (!protocol::read_varlong(records, pos) || !protocol::read_varint(records, pos)) return std::nullopt;
  const auto key_length = protocol::read_varint(records, pos);
  if (!key_length || *key_length < 0 || records.size() - pos < size_t(*key_length)) return std::nullopt;
  const ByteView key = records.subspan(pos, static_cast<size_t>(*key_length));
  pos += static_cast<size_t>(*key_length);
  const auto value_length = protocol::read_varint(records, pos);
  if (!value_length) return std::nullopt;
  if (*value_length < 0) return ControlRecord{key, {}};
  if (records.size() - pos < size_t(*value_length)) return std::nullopt;
  return ControlRecord{key, records.subspan(pos, static_cast<size_t>(*value_length))};
}

}  // namespace

Buffer make_control_batch(int16_t type, ByteView value) {
  std::string key(4, '\0');
  store_be<int16_t>(key.data(), kControlKeyVersion);
  store_be<int16_t>(key.data() + 2, type);
  protocol::Record record;
  record.key = std::move(key);
  record.value = std::string(value.begin(), value.end());
  record.timestamp_ms = kControlTimestampMs;
  protocol::RecordBatchBuilder builder;
  builder.append(record);
  Buffer batch = builder.build();
  // The builder makes data batches: set the control bit and recompute the CRC, which covers the attributes.
  char* p = batch.data();
  store_be<int16_t>(p + bf::kAttributes,
                    static_cast<int16_t>(load_be<int16_t>(p + bf::kAttributes) | bf::kControlBit));
  store_be<uint32_t>(p + bf::kCrc, protocol::crc32c(p + bf::kAttributes, batch.size() - bf::kAttributes));
  return batch;
}

Buffer make_term_start_batch(NodeId leader) {
  char value[4];
  store_be<int32_t>(value, leader.value);
  return make_control_batch(kControlTypeTermStart, ByteView(value, sizeof(value)));
}

Buffer make_configuration_batch(const Configuration& configuration) {
  return make_control_batch(kControlTypeConfiguration, configuration.encode());
}

std::optional<int16_t> control_type(ByteView batch) {
  const auto record = first_record(batch);
  if (!record || record->key.size() != 4 || load_be<int16_t>(record->key.data()) != kControlKeyVersion) {
    return std::nullopt;
  }
  return load_be<int16_t>(record->key.data() + 2);
}

Result<Buffer> control_value(ByteView batch) {
  const auto record = first_record(batch);
  if (!record) return make_error(errc::invalid_batch, "not a readable control batch");
  return Buffer(record->value.begin(), record->value.end());
}

Result<Configuration> configuration_of(const Entry& entry) {
  if (entry.kind != EntryKind::configuration)
    return make_error(errc::invalid_batch, "not a configuration entry");
  auto value = control_value(entry.batch);
  if (!value) return std::move(value).error();
  return Configuration::decode(*value);
}

}  // namespace millrace::replication
