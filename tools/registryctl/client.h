// The registry connection of one registryctl run: the channel, the per-call context (the
// x-principal header and the deadline) and how a refused call is reported.
#ifndef COLLECTONCE_TOOLS_REGISTRYCTL_CLIENT_H_
#define COLLECTONCE_TOOLS_REGISTRYCTL_CLIENT_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "collectonce/registry/v1/evidence.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "libs/catalog/catalog.h"
#include "tools/registryctl/globals.h"

namespace collectonce::registryctl {

namespace v1 = ::collectonce::registry::v1;

class Client {
 public:
  // Connects lazily to `address` (the registry, or the gateway for `prefill`). Several
  // comma-separated addresses are the replicas of a replicated registry: the one that leads
  // is asked (a second at most per replica), so that writes go there; a follower would
  // refuse them with NOT_LEADER and name the leader.
  Client(const Globals& globals, const std::string& address);

  v1::RecordService::Stub& records() { return *records_; }
  v1::GovernanceService::Stub& governance() { return *governance_; }
  v1::EvidenceService::Stub& evidence() { return *evidence_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // Sets the x-principal header and the deadline (--timeout) on a unary call's context.
  void Prepare(grpc::ClientContext* context) const;
  // The same without a deadline, for streams that end on their own terms.
  void PrepareStream(grpc::ClientContext* context) const;

  // The catalog of a kind, compiled. On a refused call fills *status and returns nullptr;
  // a catalog that does not compile here is an internal error (status INTERNAL).
  std::shared_ptr<const catalog::Catalog> FetchCatalog(v1::SubjectKind kind, grpc::Status* status);

 private:
  const Globals& globals_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RecordService::Stub> records_;
  std::unique_ptr<v1::GovernanceService::Stub> governance_;
  std::unique_ptr<v1::EvidenceService::Stub> evidence_;
};

// Prints a refused call on stderr, "error: CODE (REASON): message" and one line per field
// violation ("  field: RULE: message"), with ID numbers masked, then the ConnectionHint of
// the last Client made. Returns 64 + the code.
int ReportRpcError(const grpc::Status& status);

// A line that tells what to try when a call could not reach `address` (nothing listening, a
// plaintext client at a TLS port, a failed handshake); "" otherwise.
std::string ConnectionHint(const grpc::Status& status, absl::string_view address, bool tls);

// The same lines as text, each with `prefix` in front (import reports put "line N: " there).
std::string DescribeRpcError(const grpc::Status& status, absl::string_view prefix);

// "INVALID_ARGUMENT" for a gRPC code.
std::string CodeName(grpc::StatusCode code);

}  // namespace collectonce::registryctl

#endif  // COLLECTONCE_TOOLS_REGISTRYCTL_CLIENT_H_
