// NativeHandler: InitProducerId (idempotent producers).
#include "millrace.pb.h"
#include "millrace/broker/native_handler.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::ApiKey;
using protocol::errc;

void NativeHandler::handle_init_producer_id(const protocol::FrameView& frame, Respond& respond) {
  wire::InitProducerIdRequest req;
  if (!native::parse_body(frame, req)) {
    return respond(
        native::encode_error(frame.header.correlation_id,
                             make_error(errc::invalid_request, "malformed init producer id request")));
  }
  auto answer = [respond, id = frame.header.correlation_id](const Result<ProducerIdAndEpoch>& allocated) {
    wire::InitProducerIdResponse resp;
    resp.set_producer_id(-1);
    resp.set_producer_epoch(-1);
    if (!allocated) {
      resp.set_error_code(native::wire_code(allocated.error()));
      resp.set_error_message(allocated.error().message);
    } else {
      resp.set_producer_id(allocated->producer_id);
      resp.set_producer_epoch(allocated->epoch);
    }
    respond(native::encode(ApiKey::init_producer_id, id, resp));
  };
  if (!req.transactional_id().empty()) {
    return answer(
        make_error(errc::invalid_request, "transactional ids are not supported (idempotence only)"));
  }
  producer_ids_.allocate(std::move(answer));
}

}  // namespace millrace::broker
