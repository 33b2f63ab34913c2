// Who is calling: the authenticated identity of the peer and, for a gateway, the end
// caller it acts for. The transport decides how identity is proven (client certificate
// under mTLS; a declared x-principal header only in the explicit local insecure mode).
#ifndef COLLECTONCE_LIBS_RPC_CALLER_H_
#define COLLECTONCE_LIBS_RPC_CALLER_H_

#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"

namespace collectonce::rpc {

inline constexpr char kPrincipalHeader[] = "x-principal";
inline constexpr char kOnBehalfOfHeader[] = "x-on-behalf-of";
// Read-your-writes on a replicated registry: the commit sequence of the caller's write that a
// read must see (services/registry/registry_context.h, WaitForCommitSequence).
inline constexpr char kMinCommitSequenceHeader[] = "collectonce-min-commit-sequence";

struct CallerIdentity {
  // The identity that authenticated the call.
  std::string peer;
  // The end caller a gateway acts for (empty when the peer calls for itself).
  std::string on_behalf_of;
};

// UNAUTHENTICATED when no identity can be established.
[[nodiscard]] absl::StatusOr<CallerIdentity> IdentifyCaller(const grpc::ServerContextBase& ctx,
                                                            bool insecure);

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_CALLER_H_
