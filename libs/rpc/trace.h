// W3C Trace Context (https://www.w3.org/TR/trace-context/): the traceparent header a call
// carries, and the span of the call a server is serving.
//
// A server's call observer (call_observer.h) takes the caller's traceparent, or starts a
// trace when there is none or it is malformed, and gives the call a span of its own. A
// handler that calls another service sends CallTrace(context).Traceparent(), so that the
// callee's span is a child of this call's span and every log line shares the trace id.
#ifndef COLLECTONCE_LIBS_RPC_TRACE_H_
#define COLLECTONCE_LIBS_RPC_TRACE_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"

namespace collectonce::rpc {

inline constexpr char kTraceparentHeader[] = "traceparent";

struct TraceContext {
  std::string trace_id;        // 32 lower-case hex digits, not all zero
  std::string span_id;         // 16 lower-case hex digits, not all zero
  std::string parent_span_id;  // the caller's span; empty when this span started the trace
  bool sampled = false;

  // "00-<trace_id>-<span_id>-<flags>": the header to send to a callee.
  std::string Traceparent() const;

  // The caller's context from a traceparent header (version 00, or a later version read as
  // 00 as the specification says); nullopt when malformed. The result's span_id is the
  // caller's span (the header's parent-id).
  static std::optional<TraceContext> Parse(absl::string_view header);
  // A new trace with a new root span (sampled).
  static TraceContext Start();
  // A new span in the same trace whose parent is this one.
  TraceContext Child() const;
};

// The span of the call `context` serves, as bound by the call observer; a fresh trace when
// the server runs without one (then every call gets a different trace).
TraceContext CallTrace(const grpc::ServerContextBase& context);

namespace internal {
// Used by the call observer only.
void BindCallTrace(const grpc::ServerContextBase* context, const TraceContext& trace);
void UnbindCallTrace(const grpc::ServerContextBase* context);
}  // namespace internal

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_TRACE_H_
