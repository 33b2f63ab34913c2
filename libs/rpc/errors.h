// absl::Status <-> grpc::Status with AIP-193 details: every error carries a
// google.rpc.ErrorInfo (UPPER_SNAKE reason, domain) and bad values a google.rpc.BadRequest
// listing every field violation.
#ifndef COLLECTONCE_LIBS_RPC_ERRORS_H_
#define COLLECTONCE_LIBS_RPC_ERRORS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"
#include "libs/catalog/violation.h"

namespace collectonce::rpc {

// The ErrorInfo domains of the two services.
inline constexpr char kRegistryDomain[] = "registry.collectonce";
inline constexpr char kGatewayDomain[] = "gateway.collectonce";

// The reason used when a status carries none: the canonical code's name.
std::string DefaultReason(absl::StatusCode code);

// Converts for the wire. `violations` (may be empty) become BadRequest field violations.
grpc::Status ToGrpc(const absl::Status& status, const catalog::Violations& violations = {},
                    absl::string_view domain = kRegistryDomain);

// What a client learns from an error: the status, the ErrorInfo reason and every violation.
struct RpcError {
  absl::Status status;
  std::string reason;
  catalog::Violations violations;
  // From a google.rpc.RetryInfo detail: how long to wait before retrying (-1: none given).
  int64_t retry_delay_ms = -1;
  // The ErrorInfo's metadata (also attached to `status`, see MetadataOf).
  std::map<std::string, std::string> metadata;
};
RpcError FromGrpc(const grpc::Status& status);

}  // namespace collectonce::rpc

#endif  // COLLECTONCE_LIBS_RPC_ERRORS_H_
