// NativeHandler: produce, fetch and list-offsets requests.
#include <cassert>
#include <memory>

#include "millrace.pb.h"
#include "millrace/broker/fetch_operation.h"
#include "millrace/broker/native_handler.h"
#include "millrace/protocol/errc.h"
#include "millrace/protocol/frame_format.h"

namespace millrace::broker {

using protocol::ApiKey;
using protocol::errc;

namespace {

// Collects the per-partition results of one produce request; responds when the last one arrives.
struct ProduceCollector {
  wire::ProduceResponse response;
  size_t outstanding = 0;
  uint32_t correlation_id = 0;
  bool respond_at_all = true;
  RequestHandler::Respond respond;

  void done_one() {
    if (--outstanding > 0) return;
    respond(respond_at_all ? native::encode(ApiKey::produce, correlation_id, response) : Buffer{});
  }
};

void set_error(wire::ProducePartitionResult* r, const Error& e) {
  r->set_error_code(native::wire_code(e));
  r->set_error_message(e.message);
  r->set_base_offset(-1);
}

// The response frame: header and body in memory, then every partition's records as file ranges, in the order
// of the results (records_bytes tells the reader where each partition's bytes end).
ResponseFrame encode_fetch(uint32_t correlation_id, const FetchSpec& spec,
                           std::vector<FetchPartitionOutcome>& outcomes) {
  wire::FetchResponse body;
  size_t payload_bytes = 0;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    const size_t records_bytes = outcomes[i].records.size_bytes();
    auto* r = body.add_results();
    r->set_topic(spec.partitions[i].topic);
    r->set_partition(spec.partitions[i].partition);
    r->set_high_watermark(outcomes[i].high_watermark.value);
    r->set_log_start_offset(outcomes[i].log_start_offset.value);
    r->set_records_bytes(static_cast<uint32_t>(records_bytes));
    if (outcomes[i].error) {
      r->set_error_code(native::wire_code(*outcomes[i].error));
      r->set_error_message(outcomes[i].error->message);
    }
    payload_bytes += records_bytes;
  }
  const size_t body_bytes = body.ByteSizeLong();
  ResponseFrame frame;
  frame.bytes.resize(protocol::frame_format::kHeaderBytes + body_bytes);
  protocol::write_frame_header(frame.bytes.data(), ApiKey::fetch, correlation_id,
                               static_cast<uint32_t>(body_bytes), payload_bytes);
  body.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(frame.bytes.data() + protocol::frame_format::kHeaderBytes));
  for (auto& o : outcomes) {
    for (auto& range : o.records.ranges) frame.ranges.push_back(std::move(range));
  }
  assert(frame.size_bytes() == frame.bytes.size() + payload_bytes);
  return frame;
}

}  // namespace

void NativeHandler::handle_produce(const protocol::FrameView& frame, MutableByteView payload,
                                   Respond& respond) {
  const uint32_t correlation_id = frame.header.correlation_id;
  wire::ProduceRequest req;
  if (!native::parse_body(frame, req)) {
    return respond(
        native::encode_error(correlation_id, make_error(errc::invalid_request, "malformed produce request")));
  }
  uint64_t declared = 0;
  for (const auto& p : req.partitions()) declared += p.records_bytes();
  if (declared != payload.size()) {
    // The request lies about its own layout: nothing is appended.
    return respond(native::encode_error(
        correlation_id, make_error(errc::invalid_request,
                                   "records_bytes add up to " + std::to_string(declared) +
                                       " but the payload has " + std::to_string(payload.size()) + " bytes")));
  }
  auto collector = std::make_shared<ProduceCollector>();
  collector->correlation_id = correlation_id;
  collector->respond_at_all = req.acks() != 0;
  collector->respond = std::move(respond);
  collector->outstanding = static_cast<size_t>(req.partitions_size()) + 1;  // +1 until the loop is done
  size_t pos = 0;
  for (int i = 0; i < req.partitions_size(); ++i) {
    const auto& p = req.partitions(i);
    auto* result = collector->response.add_results();
    result->set_topic(p.topic());
    result->set_partition(p.partition());
    result->set_log_append_time_ms(-1);
    MutableByteView batches = payload.subspan(pos, p.records_bytes());
    pos += p.records_bytes();
    manager_.produce(p.topic(), p.partition(), batches, req.acks(),
                     [collector, i](Result<storage::AppendResult> appended) {
                       auto* r = collector->response.mutable_results(i);
                       if (appended) {
                         r->set_base_offset(appended->base_offset.value);
                       } else {
                         set_error(r, appended.error());
                       }
                       collector->done_one();
                     });
  }
  collector->done_one();
}

void NativeHandler::handle_fetch(const protocol::FrameView& frame, Respond& respond) {
  const uint32_t correlation_id = frame.header.correlation_id;
  wire::FetchRequest req;
  if (!native::parse_body(frame, req)) {
    return respond(
        native::encode_error(correlation_id, make_error(errc::invalid_request, "malformed fetch request")));
  }
  FetchSpec spec;
  spec.max_wait_ms = req.max_wait_ms();
  spec.min_bytes = req.min_bytes();
  // A response must fit in a frame; keep room for the header and body.
  const int32_t frame_room = static_cast<int32_t>(config_.max_frame_bytes / 2);
  spec.max_bytes = req.max_bytes() > 0 ? std::min(req.max_bytes(), frame_room) : frame_room;
  for (const auto& p : req.partitions()) {
    spec.partitions.push_back({p.topic(), p.partition(), Offset{p.fetch_offset()}, p.max_bytes()});
  }
  auto shared_spec = std::make_shared<FetchSpec>(spec);
  FetchOperation::start(io_, manager_, std::move(spec),
                        [respond = std::move(respond), shared_spec,
                         correlation_id](std::vector<FetchPartitionOutcome> outcomes) {
                          respond(encode_fetch(correlation_id, *shared_spec, outcomes));
                        });
}

void NativeHandler::handle_list_offsets(const protocol::FrameView& frame, Respond& respond) {
  wire::ListOffsetsRequest req;
  if (!native::parse_body(frame, req)) {
    return respond(native::encode_error(frame.header.correlation_id,
                                        make_error(errc::invalid_request, "malformed list offsets request")));
  }
  wire::ListOffsetsResponse resp;
  for (const auto& p : req.partitions()) {
    auto* r = resp.add_results();
    r->set_topic(p.topic());
    r->set_partition(p.partition());
    auto offset = manager_.list_offset(p.topic(), p.partition(), p.timestamp());
    if (offset) {
      r->set_offset(offset->value);
    } else {
      r->set_error_code(native::wire_code(offset.error()));
      r->set_error_message(offset.error().message);
      r->set_offset(-1);
    }
  }
  respond(native::encode(ApiKey::list_offsets, frame.header.correlation_id, resp));
}

}  // namespace millrace::broker
