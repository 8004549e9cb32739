#include "millrace/storage/rocksdb_kv_store.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>

#include <system_error>

#include "io_error.h"
#include "millrace/storage/errc.h"

namespace millrace::storage {
namespace {

rocksdb::Slice to_slice(std::string_view bytes) {
  return {bytes.data(), bytes.size()};
}

Error to_error(const rocksdb::Status& status, std::string_view operation) {
  errc kind = errc::io_error;
  if (status.IsNotFound()) kind = errc::not_found;
  if (status.IsCorruption()) kind = errc::corrupt_data;
  if (status.IsNoSpace()) kind = errc::disk_full;
  if (status.IsInvalidArgument()) kind = errc::invalid_argument;
  return make_error(kind, std::string("rocksdb ") + std::string(operation) + ": " + status.ToString());
}

rocksdb::WriteOptions synced_writes() {
  rocksdb::WriteOptions options;
  options.sync = true;
  return options;
}

}  // namespace

Result<std::unique_ptr<RocksDbKvStore>> RocksDbKvStore::open(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return make_io_error(ec, "create directory", path);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  const rocksdb::Status status = rocksdb::DB::Open(options, path.string(), &db);
  if (!status.ok()) return to_error(status, "open " + path.string());
  return std::unique_ptr<RocksDbKvStore>(new RocksDbKvStore(std::unique_ptr<rocksdb::DB>(db)));
}

RocksDbKvStore::RocksDbKvStore(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

RocksDbKvStore::~RocksDbKvStore() = default;

Status RocksDbKvStore::put(std::string_view key, std::string_view value) {
  const rocksdb::Status status = db_->Put(synced_writes(), to_slice(key), to_slice(value));
  if (!status.ok()) return to_error(status, "put");
  return {};
}

Result<std::optional<std::string>> RocksDbKvStore::get(std::string_view key) const {
  std::string value;
  const rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), to_slice(key), &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return to_error(status, "get");
  return std::optional<std::string>(std::move(value));
}

Status RocksDbKvStore::erase(std::string_view key) {
  const rocksdb::Status status = db_->Delete(synced_writes(), to_slice(key));
  if (!status.ok()) return to_error(status, "delete");
  return {};
}

Result<KvStore::KeyValues> RocksDbKvStore::scan_prefix(std::string_view prefix) const {
  KeyValues found;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(to_slice(prefix)); it->Valid() && it->key().starts_with(to_slice(prefix)); it->Next()) {
    found.emplace_back(it->key().ToString(), it->value().ToString());
  }
  if (!it->status().ok()) return to_error(it->status(), "scan");
  return found;
}

}  // namespace millrace::storage
