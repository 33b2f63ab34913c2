// What both daemons do around their services: take SIGTERM/SIGINT on a waiting thread,
// expose grpc.health.v1 and reflection, and refuse an insecure public listener.
#ifndef COLLECTONCE_LIBS_RPC_DAEMON_H_
#define COLLECTONCE_LIBS_RPC_DAEMON_H_

#include <string>

#include "grpcpp/server_builder.h"

namespace collectonce::rpc {

// Blocks SIGTERM and SIGINT in this and every later thread; call first in main().
void BlockTerminationSignals();
// absl::Mutex records every lock-order edge in a global graph to report deadlocks when
// absl is built without NDEBUG, as Debian's is; that costs every lock of every call (gRPC's
// included). Daemons switch it off; tests keep it.
void SkipMutexDeadlockDetection();
// Waits for SIGTERM or SIGINT; returns the signal.
int WaitForTerminationSignal();

// Turns on the default health service (with health.proto's descriptor linked in, so that
// reflection clients such as buf curl can call it) and server reflection.
void EnableHealthAndReflection();

bool IsLoopbackHost(const std::string& host);

// A port another process holds fails the start instead of being shared: gRPC's
// SO_REUSEPORT (on by default) lets a second daemon listen on the same port and take half
// of the calls. Call on every ServerBuilder before BuildAndStart.
void RefusePortSharing(grpc::ServerBuilder* builder);

// The message for a listener that could not be opened: names the address and, when a
// plain bind of HOST:PORT fails too, why ("Address already in use").
std::string ListenFailure(const std::string& what, const std::string& host, int port);

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_DAEMON_H_
