// Who is calling: the authenticated identity of the peer and, for a gateway, the end
// caller it acts for. The transport decides how identity is proven (client certificate
// under mTLS; a declared x-principal header only in the explicit local insecure mode).
#ifndef COLLECTONCE_LIBS_RPC_CALLER_H_
#define COLLECTONCE_LIBS_RPC_CALLER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"

struct x509_st;  // OpenSSL's X509

namespace collectonce::rpc {

inline constexpr char kPrincipalHeader[] = "x-principal";
inline constexpr char kOnBehalfOfHeader[] = "x-on-behalf-of";
// Sent by a gateway that forwards a call its own caller made on behalf of someone else (the
// console calling the gateway for a staff member): that caller's identity, so that the
// registry checks that it, too, may act for others (docs/security.md, "Acting for others").
inline constexpr char kOnBehalfOfViaHeader[] = "x-on-behalf-of-via";
// Read-your-writes on a replicated registry: the commit sequence of the caller's write that a
// read must see (services/registry/registry_context.h, WaitForCommitSequence).
inline constexpr char kMinCommitSequenceHeader[] = "collectonce-min-commit-sequence";

struct CallerIdentity {
  // The identity that authenticated the call.
  std::string peer;
  // The end caller a gateway acts for (empty when the peer calls for itself).
  std::string on_behalf_of;
  // The system that asked the peer (a gateway) to act for on_behalf_of (empty when the
  // peer acts for its own caller).
  std::string on_behalf_of_via;
};

// The identity a client certificate proves, from its subject alternative names in the
// certificate's order: the first URI SAN (e.g. spiffe://…), else the first other name.
// Empty when there is none. The one rule for gRPC peers and the console's browsers.
std::string IdentityFromAltNames(const std::vector<std::string>& names);

// The subject alternative names of a certificate (DNS, URI, email, IP address) in its order,
// as gRPC's x509_subject_alternative_name property lists them.
std::vector<std::string> CertificateAltNames(const x509_st* cert);

// UNAUTHENTICATED when no identity can be established.
[[nodiscard]] absl::StatusOr<CallerIdentity> IdentifyCaller(const grpc::ServerContextBase& ctx,
                                                            bool insecure);

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_CALLER_H_
