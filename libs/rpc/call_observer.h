// What a server records about every call it serves: the RPC metrics (count and latency by
// method and status code), one access-log line, and the call's trace span (trace.h).
//
// Installed as a server interceptor, so handlers need not remember it. Interceptors in
// gRPC 1.51 cannot reject calls; this one only observes.
#ifndef COLLECTONCE_LIBS_RPC_CALL_OBSERVER_H_
#define COLLECTONCE_LIBS_RPC_CALL_OBSERVER_H_

#include <memory>

#include "grpcpp/support/server_interceptor.h"
#include "libs/rpc/log.h"
#include "libs/rpc/metrics.h"

namespace collectonce::rpc {

// A caller may name its request in this header; it is logged as request_id (masked like
// every free-text value). Calls without it are logged with their span id instead.
inline constexpr char kRequestIdHeader[] = "x-request-id";
// Every answer's initial metadata carries the daemon's build version in this header.
inline constexpr char kServerVersionHeader[] = "collectonce-version";

struct CallObserverOptions {
  RpcMetrics* metrics = nullptr;       // required
  const Logger* access_log = nullptr;  // null: no access log
  // How callers are identified for the log (see caller.h); an unidentified caller is
  // logged as principal "".
  bool insecure = false;
};

// The factory to pass to ServerBuilder::experimental().SetInterceptorCreators. The metrics
// and logger must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> CallObserverFactory(
    CallObserverOptions options);

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_CALL_OBSERVER_H_
