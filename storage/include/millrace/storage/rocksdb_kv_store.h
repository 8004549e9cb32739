#pragma once
// RocksDbKvStore: KvStore on a RocksDB database in one directory. Writes use WriteOptions::sync.
// Thread-safe (RocksDB's DB is).
#include <filesystem>
#include <memory>

#include "millrace/protocol/result.h"
#include "millrace/storage/kv_store.h"

namespace rocksdb {
class DB;
}

namespace millrace::storage {

class RocksDbKvStore final : public KvStore {
 public:
  // Opens the database at `path`, creating it (and missing parent directories) if needed.
  static Result<std::unique_ptr<RocksDbKvStore>> open(const std::filesystem::path& path);

  ~RocksDbKvStore() override;
  RocksDbKvStore(const RocksDbKvStore&) = delete;
  RocksDbKvStore& operator=(const RocksDbKvStore&) = delete;

  Status put(std::string_view key, std::string_view value) override;
  Result<std::optional<std::string>> get(std::string_view key) const override;
  Status erase(std::string_view key) override;
  Result<KeyValues> scan_prefix(std::string_view prefix) const override;

 private:
  explicit RocksDbKvStore(std::unique_ptr<rocksdb::DB> db);
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace millrace::storage
