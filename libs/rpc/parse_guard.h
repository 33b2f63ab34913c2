// A request that does not parse never reaches a handler: gRPC answers it UNIMPLEMENTED,
// without details, which tells the caller nothing (proto3 refuses a string field whose
// bytes are not UTF-8 while parsing). The parse guard follows every call of a server and,
// when its request failed to parse, replaces that status:
//
// - a string field with bytes that are not UTF-8: INVALID_ARGUMENT, reason INVALID_VALUES,
//   and a field violation with rule ENCODING naming the field's path from the request
//   (`reason`, `provenance.source`, `values` for a map key, `values.string_value` for a
//   value), as protobuf's parser reported it;
// - any other malformed request: INVALID_ARGUMENT, reason MALFORMED_REQUEST.
//
// Since the handler never ran, nothing was read or written. One interceptor covers every
// method of every service the server has, unary and streaming alike.
#ifndef COLLECTONCE_LIBS_RPC_PARSE_GUARD_H_
#define COLLECTONCE_LIBS_RPC_PARSE_GUARD_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/support/server_interceptor.h"
#include "libs/rpc/log.h"

namespace collectonce::rpc {

// The factory to pass to ServerBuilder::experimental().SetInterceptorCreators, before the
// call observer so that the access log shows the status the caller gets. Installs protobuf's
// log handler (see InstallProtobufLogHandler) if none is installed yet.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> ParseGuardFactory(
    std::string domain);

// Sends protobuf's own log lines through `log` as JSON (null: to stderr as before), and
// remembers, per thread, the string field a failed UTF-8 check named, for the guard. Call
// at start, before serving: protobuf's handler is process-wide and not synchronised.
void InstallProtobufLogHandler(const Logger* log);

namespace internal {
// The path of field `field_full_name` (a proto full name: "pkg.Message.field", protobuf's
// report) from `request`, e.g. "provenance.source"; "Message.field" when that field's
// message is reachable along more than one path; "" when it is not reachable at all (the
// report was not about this request).
std::string FieldPath(const google::protobuf::Descriptor* request,
                      absl::string_view field_full_name);
}  // namespace internal

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_PARSE_GUARD_H_
