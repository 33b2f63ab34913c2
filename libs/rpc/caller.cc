#include "libs/rpc/caller.h"

#include "absl/strings/match.h"
#include "libs/base/error_reason.h"

namespace collectonce::rpc {

namespace {
std::string Header(const grpc::ServerContextBase& ctx, absl::string_view name) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(grpc::string_ref(name.data(), name.size()));
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}
}  // namespace

absl::StatusOr<CallerIdentity> IdentifyCaller(const grpc::ServerContextBase& ctx, bool insecure) {
  CallerIdentity id;
  if (insecure) {
    id.peer = Header(ctx, kPrincipalHeader);
  } else {
    // Under TLS the identity is the client certificate's URI SAN, else its DNS SAN; any
    // x-principal header is ignored.
    auto auth = ctx.auth_context();
    if (auth) {
      for (const char* prop : {"x509_subject_alternative_name", "peer_spiffe_id"}) {
        for (const auto& v : auth->FindPropertyValues(prop)) {
          std::string s(v.data(), v.size());
          if (absl::StrContains(s, "://")) {
            id.peer = s;
            break;
          }
          if (id.peer.empty()) id.peer = s;
        }
        if (!id.peer.empty()) break;
      }
    }
  }
  if (id.peer.empty() || id.peer.size() > 512) {
    return WithReason(
        absl::UnauthenticatedError(insecure ? "name the calling system in the x-principal header"
                                            : "the call carries no client certificate identity"),
        "NO_IDENTITY");
  }
  id.on_behalf_of = Header(ctx, kOnBehalfOfHeader);
  if (id.on_behalf_of.size() > 512) {
    return WithReason(absl::InvalidArgumentError("x-on-behalf-of is too long"), "BAD_HEADER");
  }
  return id;
}

}  // namespace collectonce::rpc
