// Finishing a unary callback call at the gRPC edge: the one place a handler's absl::Status
// (and its field violations) becomes the reply, with AIP-193 details (errors.h).
//   if (!caller.ok()) return rpc::Reply(context, caller.status());
#ifndef COLLECTONCE_LIBS_RPC_REPLY_H_
#define COLLECTONCE_LIBS_RPC_REPLY_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "libs/catalog/violation.h"
#include "libs/rpc/errors.h"

namespace collectonce::rpc {

// Finishes the call with `status` (OK: the response the handler filled) and returns the
// reactor for the handler to return. `domain` is the ErrorInfo domain of the service.
inline grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                       const absl::Status& status,
                                       const catalog::Violations& violations = {},
                                       absl::string_view domain = kRegistryDomain) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpc(status, violations, domain));
  return reactor;
}

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_REPLY_H_
