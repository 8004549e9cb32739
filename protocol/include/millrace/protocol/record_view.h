#pragma once
// RecordView: one record of a RecordBatch v2 seen in place — key, value and headers are views into the batch
// bytes, nothing is copied or allocated. A view is valid only while the bytes it was decoded from live.
//
// decode_record_views() validates everything a view later reads (CRC, varints, lengths), so reading a view's
// headers cannot fail.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>
#include <vector>

#include "millrace/protocol/bytes.h"
#include "millrace/protocol/result.h"

namespace millrace::protocol {

struct HeaderView {
  std::string_view key;
  std::optional<std::string_view> value;  // nullopt: a null header value
  bool operator==(const HeaderView&) const = default;
};

// The headers of one record, still encoded (already validated); iterating decodes them one at a time.
class HeaderViews {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = HeaderView;
    using difference_type = std::ptrdiff_t;
    using pointer = const HeaderView*;
    using reference = const HeaderView&;

    iterator() = default;
    reference operator*() const { return current_; }
    pointer operator->() const { return &current_; }
    iterator& operator++() {
      --left_;
      decode();
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const iterator& other) const { return left_ == other.left_; }

   private:
    friend class HeaderViews;
    iterator(ByteView bytes, int32_t left) : bytes_(bytes), left_(left) { decode(); }
    void decode();

    ByteView bytes_;
    size_t pos_ = 0;
    int32_t left_ = 0;
    HeaderView current_;
  };

  HeaderViews() = default;
  // `bytes`: `count` encoded headers (varint key length, key, varint value length, value), validated.
  HeaderViews(ByteView bytes, int32_t count) : bytes_(bytes), count_(count) {}

  size_t size() const { return static_cast<size_t>(count_); }
  bool empty() const { return count_ == 0; }
  iterator begin() const { return iterator(bytes_, count_); }
  iterator end() const { return iterator(); }
  ByteView encoded() const { return bytes_; }

 private:
  ByteView bytes_;
  int32_t count_ = 0;
};

struct RecordView {
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::string_view> key;    // nullopt: a null key
  std::optional<std::string_view> value;  // nullopt: a null value (a tombstone)
  HeaderViews headers;
};

// Decodes every record of every whole batch in `bytes` into views, appending to `out`, with the rules of
// decode_records(): control batches skipped, records below `min_offset` skipped, a partial batch at the end
// ignored, one CRC-32C check per batch. Returns the offset after the last whole batch (control and empty
// batches included), or `min_offset` if that is larger or there is no whole batch.
// Errors: corrupt_message (CRC, varints, lengths), unsupported_compression_type; `out` may then hold some
// views already.
Result<int64_t> decode_record_views(ByteView bytes, int64_t min_offset, std::vector<RecordView>& out);

}  // namespace millrace::protocol
