#include "services/reuse-gateway/registry_client.h"

#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/subject.h"
#include "libs/rpc/caller.h"
#include "libs/rpc/trace.h"

namespace collectonce::reuse {

namespace {
// Retries only UNAVAILABLE (nothing reached the registry, or it is restarting); every write
// the gateway sends carries a request id, so a retried write cannot apply twice.
constexpr char kServiceConfig[] = R"json({
  "methodConfig": [{
    "name": [{"service": "collectonce.registry.v1.RecordService"},
             {"service": "collectonce.registry.v1.GovernanceService"},
             {"service": "collectonce.registry.v1.ReuseLedger"}],
    "retryPolicy": {
      "maxAttempts": 5,
      "initialBackoff": "0.05s",
      "maxBackoff": "1s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }]
})json";
}  // namespace

// Runs closures at their time on one thread, for asynchronous calls that wait before they
// are sent again (a gRPC callback thread must not sleep).
class RegistryClient::Delayer {
 public:
  Delayer() : thread_([this] { Run(); }) {}
  ~Delayer() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();  // closures still waiting are dropped: their calls end with the client
  }
  void After(absl::Duration d, std::function<void()> f) {
    absl::MutexLock lock(&mu_);
    due_.emplace(absl::Now() + d, std::move(f));
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> f;
      {
        absl::MutexLock lock(&mu_);
        const absl::Time next =
            due_.empty() ? absl::Now() + absl::Milliseconds(50) : due_.begin()->first;
        mu_.AwaitWithDeadline(absl::Condition(&stopping_), next);
        if (stopping_) return;
        if (due_.empty() || due_.begin()->first > absl::Now()) continue;
        f = std::move(due_.begin()->second);
        due_.erase(due_.begin());
      }
      f();
    }
  }
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::multimap<absl::Time, std::function<void()>> due_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

template <typename Request, typename Response>
struct RegistryClient::AsyncCall {
  using Invoke = std::function<void(Replica&, grpc::ClientContext*, const Request*, Response*,
                                    std::function<void(grpc::Status)>)>;
  const char* method;
  Origin origin;
  absl::Time deadline;
  bool repeatable;
  Request request;
  Response response;
  Invoke invoke;
  std::function<void(absl::StatusOr<Response>, rpc::RpcError)> done;
  int replica = 0;
  int attempt = 1;
  // One per attempt: a context is not reused, nor freed inside its own callback.
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
};

RegistryClient::RegistryClient(const std::vector<std::string>& addresses, std::string identity,
                               std::shared_ptr<grpc::ChannelCredentials> credentials, bool insecure)
    : identity_(std::move(identity)),
      insecure_(insecure),
      router_(addresses),
      delayer_(std::make_unique<Delayer>()) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(kServiceConfig);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  for (const std::string& address : addresses) {
    auto r = std::make_unique<Replica>();
    r->address = address;
    r->channel = grpc::CreateCustomChannel(address, credentials, args);
    r->records = v1::RecordService::NewStub(r->channel);
    r->governance = v1::GovernanceService::NewStub(r->channel);
    r->ledger = v1::ReuseLedger::NewStub(r->channel);
    r->evidence = v1::EvidenceService::NewStub(r->channel);
    replicas_.push_back(std::move(r));
  }
}

RegistryClient::RegistryClient(const std::string& address, std::string identity,
                               std::shared_ptr<grpc::ChannelCredentials> credentials, bool insecure)
    : RegistryClient(std::vector<std::string>{address}, std::move(identity), std::move(credentials),
                     insecure) {}

RegistryClient::~RegistryClient() = default;

void RegistryClient::Prepare(grpc::ClientContext* ctx, const Origin& origin, absl::Time deadline) {
  if (insecure_) ctx->AddMetadata(rpc::kPrincipalHeader, identity_);
  if (!origin.on_behalf_of.empty()) ctx->AddMetadata(rpc::kOnBehalfOfHeader, origin.on_behalf_of);
  if (!origin.on_behalf_of_via.empty())
    ctx->AddMetadata(rpc::kOnBehalfOfViaHeader, origin.on_behalf_of_via);
  if (!origin.traceparent.empty()) ctx->AddMetadata(rpc::kTraceparentHeader, origin.traceparent);
  ctx->set_deadline(absl::ToChronoTime(router_.AttemptDeadline(absl::Now(), deadline)));
}

void RegistryClient::Observe(const char* method, std::chrono::steady_clock::time_point start,
                             const grpc::Status& status) {
  if (metrics_ == nullptr) return;
  metrics_->Record(method, static_cast<int>(status.error_code()),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

absl::Status RegistryClient::Translate(const rpc::RpcError& e, const std::string& address) {
  if (e.status.code() == absl::StatusCode::kUnavailable ||
      e.status.code() == absl::StatusCode::kDeadlineExceeded) {
    return WithReason(
        absl::Status(e.status.code(),
                     absl::StrCat("the registry at ", address,
                                  " did not answer in time: ", e.status.message())),
        e.reason.empty() || e.reason == "UNAVAILABLE" ? "REGISTRY_UNAVAILABLE" : e.reason);
  }
  return e.status;  // carries the registry's reason
}

template <typename Response, typename Invoke>
absl::StatusOr<Response> RegistryClient::Call(const char* method, const Origin& origin,
                                              absl::Time deadline, bool repeatable, Invoke invoke) {
  int replica = router_.current();
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext ctx;
    Prepare(&ctx, origin, deadline);
    Response out;
    const auto start = std::chrono::steady_clock::now();
    grpc::Status s = invoke(*replicas_[replica], &ctx, &out);
    Observe(method, start, s);
    if (s.ok()) return out;
    rpc::RpcError e = rpc::FromGrpc(s);
    auto retry = router_.OnFailure(replica, e, repeatable, attempt);
    if (!retry || absl::Now() + retry->pause >= deadline) {
      return Translate(e, replicas_[replica]->address);
    }
    ++redirects_;
    absl::SleepFor(retry->pause);
    replica = retry->replica;
  }
}

template <typename Request, typename Response>
void RegistryClient::Attempt(std::shared_ptr<AsyncCall<Request, Response>> call) {
  call->contexts.push_back(std::make_unique<grpc::ClientContext>());
  grpc::ClientContext* ctx = call->contexts.back().get();
  Prepare(ctx, call->origin, call->deadline);
  Replica& replica = *replicas_[call->replica];
  call->invoke(replica, ctx, &call->request, &call->response,
               [this, call, start = std::chrono::steady_clock::now()](grpc::Status s) {
                 Observe(call->method, start, s);
                 if (s.ok()) {
                   call->done(std::move(call->response), {});
                   return;
                 }
                 rpc::RpcError e = rpc::FromGrpc(s);
                 auto retry = router_.OnFailure(call->replica, e, call->repeatable, call->attempt);
                 if (!retry || absl::Now() + retry->pause >= call->deadline) {
                   call->done(Translate(e, replicas_[call->replica]->address), e);
                   return;
                 }
                 ++redirects_;
                 call->replica = retry->replica;
                 ++call->attempt;
                 if (retry->pause <= absl::ZeroDuration()) {
                   Attempt(call);
                 } else {
                   delayer_->After(retry->pause, [this, call] { Attempt(call); });
                 }
               });
}

void RegistryClient::GetRecord(const Origin& origin, const v1::GetRecordRequest& request,
                               absl::Time deadline, RecordCallback done) {
  auto call = std::make_shared<AsyncCall<v1::GetRecordRequest, v1::Record>>();
  call->method = "/collectonce.registry.v1.RecordService/GetRecord";
  call->origin = origin;
  call->deadline = deadline;
  call->repeatable = true;
  call->request = request;
  call->done = std::move(done);
  call->invoke = [](Replica& r, grpc::ClientContext* ctx, const v1::GetRecordRequest* req,
                    v1::Record* resp, std::function<void(grpc::Status)> cb) {
    r.records->async()->GetRecord(ctx, req, resp, std::move(cb));
  };
  call->replica = router_.current();
  Attempt(std::move(call));
}

void RegistryClient::UpdateRecord(const Origin& origin, const v1::UpdateRecordRequest& request,
                                  absl::Time deadline, UpdateCallback done) {
  auto call = std::make_shared<AsyncCall<v1::UpdateRecordRequest, v1::UpdateRecordResponse>>();
  call->method = "/collectonce.registry.v1.RecordService/UpdateRecord";
  call->origin = origin;
  call->deadline = deadline;
  call->repeatable = !request.request_id().empty();
  call->request = request;
  call->done = std::move(done);
  call->invoke = [](Replica& r, grpc::ClientContext* ctx, const v1::UpdateRecordRequest* req,
                    v1::UpdateRecordResponse* resp, std::function<void(grpc::Status)> cb) {
    r.records->async()->UpdateRecord(ctx, req, resp, std::move(cb));
  };
  call->replica = router_.current();
  Attempt(std::move(call));
}

void RegistryClient::RecordReuse(const Origin& origin, const v1::RecordReuseRequest& request) {
  auto call = std::make_shared<AsyncCall<v1::RecordReuseRequest, v1::RecordReuseResponse>>();
  call->method = "/collectonce.registry.v1.ReuseLedger/RecordReuse";
  call->origin = origin;
  call->deadline = absl::Now() + absl::Seconds(10);
  call->repeatable = false;  // no request id: sent again only when nothing was done
  call->request = request;
  call->done = [this](absl::StatusOr<v1::RecordReuseResponse> r, rpc::RpcError) {
    if (!r.ok()) ++reuse_failures_;
  };
  call->invoke = [](Replica& r, grpc::ClientContext* ctx, const v1::RecordReuseRequest* req,
                    v1::RecordReuseResponse* resp, std::function<void(grpc::Status)> cb) {
    r.ledger->async()->RecordReuse(ctx, req, resp, std::move(cb));
  };
  call->replica = router_.current();
  Attempt(std::move(call));
}

absl::StatusOr<v1::Matter> RegistryClient::GetMatter(const std::string& name, absl::Time deadline,
                                                     const Origin& origin) {
  v1::GetMatterRequest req;
  req.set_name(name);
  return Call<v1::Matter>("/collectonce.registry.v1.GovernanceService/GetMatter", origin, deadline,
                          true, [&](Replica& r, grpc::ClientContext* ctx, v1::Matter* out) {
                            return r.governance->GetMatter(ctx, req, out);
                          });
}

absl::StatusOr<v1::Bundle> RegistryClient::GetBundle(const std::string& name, absl::Time deadline,
                                                     const Origin& origin) {
  v1::GetBundleRequest req;
  req.set_name(name);
  return Call<v1::Bundle>("/collectonce.registry.v1.GovernanceService/GetBundle", origin, deadline,
                          true, [&](Replica& r, grpc::ClientContext* ctx, v1::Bundle* out) {
                            return r.governance->GetBundle(ctx, req, out);
                          });
}

absl::StatusOr<v1::Catalog> RegistryClient::GetCatalog(v1::SubjectKind kind, absl::Time deadline) {
  v1::GetCatalogRequest req;
  req.set_name(absl::StrCat("catalogs/", catalog::KindName(kind)));
  return Call<v1::Catalog>("/collectonce.registry.v1.GovernanceService/GetCatalog", {}, deadline,
                           true, [&](Replica& r, grpc::ClientContext* ctx, v1::Catalog* out) {
                             return r.governance->GetCatalog(ctx, req, out);
                           });
}

absl::StatusOr<v1::ReuseStats> RegistryClient::GetReuseStats(
    const Origin& origin, const v1::GetReuseStatsRequest& request, absl::Time deadline) {
  return Call<v1::ReuseStats>("/collectonce.registry.v1.ReuseLedger/GetReuseStats", origin,
                              deadline, true,
                              [&](Replica& r, grpc::ClientContext* ctx, v1::ReuseStats* out) {
                                return r.ledger->GetReuseStats(ctx, request, out);
                              });
}

absl::StatusOr<v1::IssueEvidenceResponse> RegistryClient::IssueEvidence(
    const Origin& origin, const v1::IssueEvidenceRequest& request, absl::Time deadline) {
  return Call<v1::IssueEvidenceResponse>(
      "/collectonce.registry.v1.EvidenceService/IssueEvidence", origin, deadline, false,
      [&](Replica& r, grpc::ClientContext* ctx, v1::IssueEvidenceResponse* out) {
        return r.evidence->IssueEvidence(ctx, request, out);
      });
}

absl::Status RegistryClient::CheckHealth(absl::Time deadline) {
  std::string why;
  for (const auto& r : replicas_) {
    grpc::ClientContext ctx;
    Prepare(&ctx, {}, deadline);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status s = grpc::health::v1::Health::NewStub(r->channel)
                         ->Check(&ctx, grpc::health::v1::HealthCheckRequest(), &response);
    if (s.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return absl::OkStatus();
    }
    if (!why.empty()) why += "; ";
    why += s.ok() ? absl::StrCat("the registry at ", r->address, " is not serving")
                  : absl::StrCat("the registry at ", r->address,
                                 " does not answer: ", s.error_message());
  }
  return absl::UnavailableError(why);
}

}  // namespace collectonce::reuse
