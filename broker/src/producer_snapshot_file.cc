#include "millrace/broker/producer_snapshot_file.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <system_error>

#include "millrace.pb.h"
#include "millrace/broker/producer_snapshot_format.h"
#include "millrace/protocol/byte_order.h"
#include "millrace/protocol/crc32c.h"
#include "millrace/storage/disk_format.h"
#include "millrace/storage/posix_file.h"

namespace millrace::broker {

namespace fs = std::filesystem;
namespace psf = producer_snapshot_format;
using protocol::load_be;
using protocol::store_be;

namespace {

std::optional<Offset> parse_name(const std::string& name) {
  if (name.size() != psf::kNameDigits + psf::kSnapshotSuffix.size() ||
      !name.ends_with(psf::kSnapshotSuffix)) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (size_t i = 0; i < psf::kNameDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) return std::nullopt;
    value = value * 10 + (name[i] - '0');
  }
  return Offset{value};
}

ProducerEntry entry_from(const wire::StoredProducer& stored) {
  ProducerEntry entry;
  entry.epoch = static_cast<int16_t>(stored.producer_epoch());
  entry.last_timestamp_ms = stored.last_timestamp_ms();
  for (const auto& b : stored.batches()) {
    entry.batches.push_back(
        {b.first_sequence(), b.last_sequence(), Offset{b.first_offset()}, Offset{b.last_offset()}});
  }
  return entry;
}

}  // namespace

Buffer ProducerSnapshotFile::encode(const ProducerSnapshot& snapshot) {
  wire::ProducerStateSnapshot body;
  body.set_next_offset(snapshot.next_offset.value);
  for (const auto& [id, entry] : snapshot.table.producers()) {
    auto* stored = body.add_producers();
    stored->set_producer_id(id);
    stored->set_producer_epoch(entry.epoch);
    stored->set_last_timestamp_ms(entry.last_timestamp_ms);
    for (const auto& b : entry.batches) {
      auto* sb = stored->add_batches();
      sb->set_first_sequence(b.first_sequence);
      sb->set_last_sequence(b.last_sequence);
      sb->set_first_offset(b.first_offset.value);
      sb->set_last_offset(b.last_offset.value);
    }
  }
  const std::string serialized = body.SerializeAsString();
  Buffer out(psf::kHeaderBytes + serialized.size());
  store_be<uint32_t>(out.data() + psf::kMagicAt, psf::kSnapshotMagic);
  store_be<int16_t>(out.data() + psf::kVersionAt, psf::kSnapshotVersion);
  store_be<uint32_t>(out.data() + psf::kBodyLengthAt, static_cast<uint32_t>(serialized.size()));
  store_be<uint32_t>(out.data() + psf::kBodyCrcAt, protocol::crc32c(serialized.data(), serialized.size()));
  std::copy(serialized.begin(), serialized.end(), out.begin() + psf::kHeaderBytes);
  return out;
}

std::optional<ProducerSnapshot> ProducerSnapshotFile::decode(ByteView bytes) {
  if (bytes.size() < psf::kHeaderBytes) return std::nullopt;
  if (load_be<uint32_t>(bytes.data() + psf::kMagicAt) != psf::kSnapshotMagic) return std::nullopt;
  if (load_be<int16_t>(bytes.data() + psf::kVersionAt) != psf::kSnapshotVersion) return std::nullopt;
  const uint32_t length = load_be<uint32_t>(bytes.data() + psf::kBodyLengthAt);
  if (bytes.size() != psf::kHeaderBytes + length) return std::nullopt;
  const char* body_bytes = bytes.data() + psf::kHeaderBytes;
  if (load_be<uint32_t>(bytes.data() + psf::kBodyCrcAt) != protocol::crc32c(body_bytes, length)) {
    return std::nullopt;
  }
  wire::ProducerStateSnapshot body;
  if (!body.ParseFromArray(body_bytes, static_cast<int>(length)) || body.next_offset() < 0)
    return std::nullopt;
  ProducerSnapshot snapshot;
  snapshot.next_offset = Offset{body.next_offset()};
  for (const auto& stored : body.producers())
    snapshot.table.restore(stored.producer_id(), entry_from(stored));
  return snapshot;
}

fs::path ProducerSnapshotFile::path_for(const fs::path& dir, Offset next_offset) {
  char digits[psf::kNameDigits + 1];
  std::snprintf(digits, sizeof(digits), "%020lld", static_cast<long long>(next_offset.value));
  return dir / (std::string(digits) + std::string(psf::kSnapshotSuffix));
}

std::vector<Offset> ProducerSnapshotFile::list(const fs::path& dir) {
  std::vector<Offset> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (auto offset = parse_name(it->path().filename().string())) out.push_back(*offset);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<ProducerSnapshot> ProducerSnapshotFile::read(const fs::path& dir, Offset next_offset) {
  auto file = storage::PosixFile::open(path_for(dir, next_offset), storage::OpenMode::open_existing);
  if (!file) return std::nullopt;
  const int64_t size = (*file)->size();
  if (size < 0 || static_cast<uint64_t>(size) > psf::kMaxSnapshotBytes) return std::nullopt;
  Buffer bytes(static_cast<size_t>(size));
  auto read = (*file)->read_at(0, MutableByteView(bytes));
  if (!read || *read != bytes.size()) return std::nullopt;
  auto snapshot = decode(ByteView(bytes));
  if (!snapshot || snapshot->next_offset != next_offset) return std::nullopt;
  return snapshot;
}

Status ProducerSnapshotFile::write(const fs::path& dir, const ProducerSnapshot& snapshot) {
  const fs::path final_path = path_for(dir, snapshot.next_offset);
  const fs::path temporary_path =
      fs::path(final_path.string() + std::string(storage::disk_format::kTemporarySuffix));
  const Buffer bytes = encode(snapshot);
  {
    auto file = storage::PosixFile::open(temporary_path, storage::OpenMode::open_or_create);
    if (!file) return std::move(file).error();
    if (Status s = (*file)->truncate(0); !s) return s;
    if (Status s = (*file)->append(ByteView(bytes)); !s) return s;
    if (Status s = (*file)->sync(); !s) return s;
    if (Status s = (*file)->close(); !s) return s;
  }
  std::error_code ec;
  fs::rename(temporary_path, final_path, ec);
  if (ec) {
    return Error{ec, "rename " + temporary_path.string() + " to " + final_path.string()};
  }
  return storage::PosixFile::sync_directory(dir);
}

Status ProducerSnapshotFile::remove(const fs::path& dir, Offset next_offset) {
  std::error_code ec;
  const fs::path path = path_for(dir, next_offset);
  if (!fs::remove(path, ec) && ec) {
    return Error{ec, "remove " + path.string()};
  }
  return {};
}

}  // namespace millrace::broker
