#include "services/reuse-gateway/registry_client.h"

#include "absl/strings/str_cat.h"
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

RegistryClient::RegistryClient(const std::string& address, std::string identity,
                               std::shared_ptr<grpc::ChannelCredentials> credentials, bool insecure)
    : address_(address), identity_(std::move(identity)), insecure_(insecure) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(kServiceConfig);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  channel_ = grpc::CreateCustomChannel(address, std::move(credentials), args);
  records_ = v1::RecordService::NewStub(channel_);
  governance_ = v1::GovernanceService::NewStub(channel_);
  ledger_ = v1::ReuseLedger::NewStub(channel_);
}

void RegistryClient::Prepare(grpc::ClientContext* ctx, const Origin& origin, absl::Time deadline) {
  if (insecure_) ctx->AddMetadata(rpc::kPrincipalHeader, identity_);
  if (!origin.on_behalf_of.empty()) ctx->AddMetadata(rpc::kOnBehalfOfHeader, origin.on_behalf_of);
  if (!origin.traceparent.empty()) ctx->AddMetadata(rpc::kTraceparentHeader, origin.traceparent);
  ctx->set_deadline(absl::ToChronoTime(deadline));
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

void RegistryClient::GetRecord(const Origin& origin, const v1::GetRecordRequest& request,
                               absl::Time deadline, RecordCallback done) {
  struct Call {
    grpc::ClientContext ctx;
    v1::GetRecordRequest request;
    v1::Record response;
  };
  auto call = std::make_shared<Call>();
  call->request = request;
  Prepare(&call->ctx, origin, deadline);
  records_->async()->GetRecord(&call->ctx, &call->request, &call->response,
                               [this, call, done = std::move(done), address = address_,
                                start = std::chrono::steady_clock::now()](grpc::Status s) {
                                 Observe("/collectonce.registry.v1.RecordService/GetRecord", start,
                                         s);
                                 if (s.ok()) {
                                   done(std::move(call->response), {});
                                   return;
                                 }
                                 rpc::RpcError e = rpc::FromGrpc(s);
                                 done(Translate(e, address), e);
                               });
}

void RegistryClient::UpdateRecord(const Origin& origin, const v1::UpdateRecordRequest& request,
                                  absl::Time deadline, UpdateCallback done) {
  struct Call {
    grpc::ClientContext ctx;
    v1::UpdateRecordRequest request;
    v1::UpdateRecordResponse response;
  };
  auto call = std::make_shared<Call>();
  call->request = request;
  Prepare(&call->ctx, origin, deadline);
  records_->async()->UpdateRecord(&call->ctx, &call->request, &call->response,
                                  [this, call, done = std::move(done), address = address_,
                                   start = std::chrono::steady_clock::now()](grpc::Status s) {
                                    Observe("/collectonce.registry.v1.RecordService/UpdateRecord",
                                            start, s);
                                    if (s.ok()) {
                                      done(std::move(call->response), {});
                                      return;
                                    }
                                    rpc::RpcError e = rpc::FromGrpc(s);
                                    done(Translate(e, address), e);
                                  });
}

void RegistryClient::RecordReuse(const Origin& origin, const v1::RecordReuseRequest& request) {
  struct Call {
    grpc::ClientContext ctx;
    v1::RecordReuseRequest request;
    v1::RecordReuseResponse response;
  };
  auto call = std::make_shared<Call>();
  call->request = request;
  Prepare(&call->ctx, origin, absl::Now() + absl::Seconds(10));
  ledger_->async()->RecordReuse(
      &call->ctx, &call->request, &call->response,
      [call, this, start = std::chrono::steady_clock::now()](grpc::Status s) {
        Observe("/collectonce.registry.v1.ReuseLedger/RecordReuse", start, s);
        if (!s.ok()) ++reuse_failures_;
      });
}

absl::StatusOr<v1::Matter> RegistryClient::GetMatter(const std::string& name, absl::Time deadline,
                                                     const Origin& origin) {
  grpc::ClientContext ctx;
  Prepare(&ctx, origin, deadline);
  v1::GetMatterRequest req;
  req.set_name(name);
  v1::Matter out;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status s = governance_->GetMatter(&ctx, req, &out);
  Observe("/collectonce.registry.v1.GovernanceService/GetMatter", start, s);
  if (!s.ok()) return Translate(rpc::FromGrpc(s), address_);
  return out;
}

absl::StatusOr<v1::Bundle> RegistryClient::GetBundle(const std::string& name, absl::Time deadline,
                                                     const Origin& origin) {
  grpc::ClientContext ctx;
  Prepare(&ctx, origin, deadline);
  v1::GetBundleRequest req;
  req.set_name(name);
  v1::Bundle out;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status s = governance_->GetBundle(&ctx, req, &out);
  Observe("/collectonce.registry.v1.GovernanceService/GetBundle", start, s);
  if (!s.ok()) return Translate(rpc::FromGrpc(s), address_);
  return out;
}

absl::StatusOr<v1::Catalog> RegistryClient::GetCatalog(v1::SubjectKind kind, absl::Time deadline) {
  grpc::ClientContext ctx;
  Prepare(&ctx, {}, deadline);
  v1::GetCatalogRequest req;
  req.set_name(absl::StrCat("catalogs/", catalog::KindName(kind)));
  v1::Catalog out;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status s = governance_->GetCatalog(&ctx, req, &out);
  Observe("/collectonce.registry.v1.GovernanceService/GetCatalog", start, s);
  if (!s.ok()) return Translate(rpc::FromGrpc(s), address_);
  return out;
}

absl::StatusOr<v1::ReuseStats> RegistryClient::GetReuseStats(
    const Origin& origin, const v1::GetReuseStatsRequest& request, absl::Time deadline) {
  grpc::ClientContext ctx;
  Prepare(&ctx, origin, deadline);
  v1::ReuseStats out;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status s = ledger_->GetReuseStats(&ctx, request, &out);
  Observe("/collectonce.registry.v1.ReuseLedger/GetReuseStats", start, s);
  if (!s.ok()) return Translate(rpc::FromGrpc(s), address_);
  return out;
}

absl::Status RegistryClient::CheckHealth(absl::Time deadline) {
  grpc::ClientContext ctx;
  Prepare(&ctx, {}, deadline);
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status s = grpc::health::v1::Health::NewStub(channel_)->Check(
      &ctx, grpc::health::v1::HealthCheckRequest(), &response);
  if (!s.ok()) {
    return absl::UnavailableError(
        absl::StrCat("the registry at ", address_, " does not answer: ", s.error_message()));
  }
  if (response.status() != grpc::health::v1::HealthCheckResponse::SERVING) {
    return absl::UnavailableError(absl::StrCat("the registry at ", address_, " is not serving"));
  }
  return absl::OkStatus();
}

}  // namespace collectonce::reuse
