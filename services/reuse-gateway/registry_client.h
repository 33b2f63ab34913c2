// The gateway's view of the registry. Every call names the gateway (its own identity) and
// the approval system it acts for (x-on-behalf-of), so the registry applies that system's
// grants, and carries the W3C traceparent of the gateway call it serves; deadlines follow
// the caller's; UNAVAILABLE is retried with backoff by the channel's retry policy, within
// the deadline.
//
// A replicated registry is given as several addresses: calls go to the replica that leads,
// following a follower's NOT_LEADER hint and moving past a replica that is down, bounded and
// within the deadline (libs/rpc/leader_router.h). Reads (recorded ones included: a repeated
// access record over-records, never under-records) and writes with a request id are
// repeatable; RecordReuse carries no request id and is sent again only after NOT_LEADER.
#ifndef COLLECTONCE_SERVICES_REUSE_GATEWAY_REGISTRY_CLIENT_H_
#define COLLECTONCE_SERVICES_REUSE_GATEWAY_REGISTRY_CLIENT_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collectonce/registry/v1/evidence.grpc.pb.h"
#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "grpcpp/security/credentials.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/leader_router.h"
#include "libs/rpc/metrics.h"

namespace collectonce::reuse {

namespace v1 = ::collectonce::registry::v1;

class RegistryClient {
 public:
  // `address` is HOST:PORT. In the local insecure mode (`insecure`) the gateway names itself
  // `identity` in x-principal; otherwise `credentials` (mutual TLS) prove who it is and no
  // x-principal is sent.
  RegistryClient(const std::string& address, std::string identity,
                 std::shared_ptr<grpc::ChannelCredentials> credentials, bool insecure);
  // The replicas of one replicated registry (at least one address).
  RegistryClient(const std::vector<std::string>& addresses, std::string identity,
                 std::shared_ptr<grpc::ChannelCredentials> credentials, bool insecure);
  ~RegistryClient();

  // Whom a call is for and which trace it belongs to.
  struct Origin {
    // The end caller (approval system) the gateway acts for; empty: the gateway itself.
    std::string on_behalf_of;
    // The gateway's caller when it asked for on_behalf_of (the console for a staff member);
    // empty when the end caller called the gateway itself.
    std::string on_behalf_of_via;
    // W3C traceparent sent to the registry (the gateway call's span, so that the registry's
    // span is its child); empty sends none.
    std::string traceparent;
  };

  using RecordCallback = std::function<void(absl::StatusOr<v1::Record>, rpc::RpcError)>;
  using UpdateCallback =
      std::function<void(absl::StatusOr<v1::UpdateRecordResponse>, rpc::RpcError)>;

  // Asynchronous; `done` runs on a gRPC thread.
  void GetRecord(const Origin& origin, const v1::GetRecordRequest& request, absl::Time deadline,
                 RecordCallback done);
  void UpdateRecord(const Origin& origin, const v1::UpdateRecordRequest& request,
                    absl::Time deadline, UpdateCallback done);
  // Fire and forget; failures are counted, not reported.
  void RecordReuse(const Origin& origin, const v1::RecordReuseRequest& request);

  // Blocking; used for the rarely changing definitions the gateway caches (sent without a
  // trace: a cached definition serves many traces).
  // As the gateway itself, or with `origin`, as the end caller (so that the registry
  // decides what that caller may learn).
  absl::StatusOr<v1::Matter> GetMatter(const std::string& name, absl::Time deadline,
                                       const Origin& origin = {});
  absl::StatusOr<v1::Bundle> GetBundle(const std::string& name, absl::Time deadline,
                                       const Origin& origin = {});
  absl::StatusOr<v1::Catalog> GetCatalog(v1::SubjectKind kind, absl::Time deadline);
  absl::StatusOr<v1::ReuseStats> GetReuseStats(const Origin& origin,
                                               const v1::GetReuseStatsRequest& request,
                                               absl::Time deadline);
  // Blocking. Not repeated after a failure that may have issued (an issuance is recorded and
  // gets a status entry): only after NOT_LEADER or a replica that refused it unsent.
  absl::StatusOr<v1::IssueEvidenceResponse> IssueEvidence(const Origin& origin,
                                                          const v1::IssueEvidenceRequest& request,
                                                          absl::Time deadline);

  // OK while the registry (one of its replicas) answers grpc.health.v1 SERVING within the
  // deadline; UNAVAILABLE otherwise (down, unreachable, or its store failed). Blocking.
  absl::Status CheckHealth(absl::Time deadline);

  int64_t reuse_report_failures() const { return reuse_failures_.load(); }
  // Calls sent again to another replica (after NOT_LEADER or an unreachable replica).
  int64_t redirects() const { return redirects_.load(); }
  // Counts every registry call by method and status code and times it; set before the
  // first call. `metrics` must outlive the client.
  void set_metrics(rpc::RpcMetrics* metrics) { metrics_ = metrics; }

 private:
  struct Replica {
    std::string address;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<v1::RecordService::Stub> records;
    std::unique_ptr<v1::GovernanceService::Stub> governance;
    std::unique_ptr<v1::ReuseLedger::Stub> ledger;
    std::unique_ptr<v1::EvidenceService::Stub> evidence;
  };
  template <typename Request, typename Response>
  struct AsyncCall;
  class Delayer;

  void Prepare(grpc::ClientContext* ctx, const Origin& origin, absl::Time deadline);
  // Records a finished call in metrics_ (if set).
  void Observe(const char* method, std::chrono::steady_clock::time_point start,
               const grpc::Status& status);
  // A registry error as the gateway's caller should see it.
  static absl::Status Translate(const rpc::RpcError& e, const std::string& address);

  // A blocking call, sent again as the router decides. `invoke` makes one attempt.
  template <typename Response, typename Invoke>
  absl::StatusOr<Response> Call(const char* method, const Origin& origin, absl::Time deadline,
                                bool repeatable, Invoke invoke);
  // One attempt of an asynchronous call; on a failure the router may send it again.
  template <typename Request, typename Response>
  void Attempt(std::shared_ptr<AsyncCall<Request, Response>> call);

  std::string identity_;
  bool insecure_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  rpc::LeaderRouter router_;
  std::unique_ptr<Delayer> delayer_;
  std::atomic<int64_t> reuse_failures_{0};
  std::atomic<int64_t> redirects_{0};
  rpc::RpcMetrics* metrics_ = nullptr;
};

}  // namespace collectonce::reuse

#endif  // COLLECTONCE_SERVICES_REUSE_GATEWAY_REGISTRY_CLIENT_H_
