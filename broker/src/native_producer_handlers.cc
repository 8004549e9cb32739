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
  wire::InitProducerIdResponse resp;
  resp.set_producer_id(-1);
  resp.set_producer_epoch(-1);
  if (!req.transactional_id().empty()) {
    resp.set_error_code(static_cast<int32_t>(errc::invalid_request));
    resp.set_error_message("transactional ids are not supported (idempotence only)");
  } else if (auto allocated = producer_ids_.allocate(); !allocated) {
    resp.set_error_code(native::wire_code(allocated.error()));
    resp.set_error_message(allocated.error().message);
  } else {
    resp.set_producer_id(allocated->producer_id);
    resp.set_producer_epoch(allocated->epoch);
  }
  respond(native::encode(ApiKey::init_producer_id, frame.header.correlation_id, resp));
}

}  // namespace millrace::broker
