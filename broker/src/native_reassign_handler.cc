// NativeHandler: ApiKey 16, alter_partition_reassignment (docs/protocol.md).
#include "cluster.pb.h"
#include "millrace/broker/controller.h"
#include "millrace/broker/native_handler.h"
#include "millrace/protocol/errc.h"

namespace millrace::broker {

using protocol::ApiKey;
using protocol::errc;

void NativeHandler::handle_alter_partition_reassignment(const protocol::FrameView& frame, Respond& respond) {
  wire::AlterPartitionReassignmentRequest req;
  if (!native::parse_body(frame, req)) {
    respond(native::encode_error(frame.header.correlation_id,
                                 make_error(errc::invalid_request, "malformed reassignment request")));
    return;
  }
  auto answer = [respond, id = frame.header.correlation_id](const Status& st) {
    wire::AlterPartitionReassignmentResponse resp;
    if (!st) {
      resp.set_error_code(native::wire_code(st.error()));
      resp.set_error_message(st.error().message);
    }
    respond(native::encode(ApiKey::alter_partition_reassignment, id, resp));
  };
  if (controller_ == nullptr) {
    answer(make_error(errc::invalid_request, "reassignment needs a cluster (this broker runs alone)"));
    return;
  }
  controller_->reassign_partition(req.topic(), req.partition(),
                                  std::vector<int32_t>(req.replicas().begin(), req.replicas().end()), answer);
}

}  // namespace millrace::broker
