// On a replica that follows, a refusal with reason NOT_LEADER (the store's, or a handler's)
// leaves with the leader named in its ErrorInfo metadata (leaderAddress, leaderReplica;
// libs/rpc/leader_router.h), so that callers go there without asking anyone else. One server
// interceptor covers every method; handlers and the store need not know the leader.
#ifndef COLLECTONCE_LIBS_RPC_LEADER_HINT_H_
#define COLLECTONCE_LIBS_RPC_LEADER_HINT_H_

#include <functional>
#include <memory>
#include <string>

#include "grpcpp/support/server_interceptor.h"
#include "grpcpp/support/status.h"

namespace collectonce::rpc {

struct LeaderHint {
  std::string address;  // host:port of the leader's API; empty: no leader known
  std::string replica_id;
};

// Thread-safe and quick: called for every NOT_LEADER refusal.
using LeaderHintSource = std::function<LeaderHint()>;

// `status` with the hint added to its ErrorInfo when its reason is NOT_LEADER and it names
// no leader yet; any other status unchanged.
grpc::Status AddLeaderHint(const grpc::Status& status, const LeaderHint& hint);

// Pass to ServerBuilder::experimental().SetInterceptorCreators before the call observer.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> LeaderHintFactory(
    LeaderHintSource source);

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_LEADER_HINT_H_
