// ReuseGateway: thin handlers. Identify the approval system, build the form from the cache,
// make one registry call on its behalf, and shape the answer.
#ifndef COLLECTONCE_SERVICES_REUSE_GATEWAY_GATEWAY_SERVICE_H_
#define COLLECTONCE_SERVICES_REUSE_GATEWAY_GATEWAY_SERVICE_H_

#include "collectonce/gateway/v1/gateway.grpc.pb.h"
#include "libs/rpc/admission.h"
#include "libs/rpc/caller.h"
#include "libs/rpc/metrics.h"
#include "services/reuse-gateway/form_cache.h"
#include "services/reuse-gateway/registry_client.h"

namespace collectonce::reuse {

struct GatewayOptions {
  bool insecure = true;
  // The longest a call may take when the caller sets no deadline.
  absl::Duration default_deadline = absl::Seconds(10);
  // Bounds the calls in progress (RESOURCE_EXHAUSTED past it); null: no bound.
  const rpc::Admission* admission = nullptr;
  // The registry's raw 32-byte audit public key, pinned for VerifyReceipt; empty: receipts
  // are not verified here (FAILED_PRECONDITION, reason AUDIT_KEY_NOT_CONFIGURED).
  std::string audit_public_key;
};

class GatewayServiceImpl final : public gw::ReuseGateway::CallbackService {
 public:
  GatewayServiceImpl(RegistryClient* registry, FormCache* forms, rpc::RpcMetrics* metrics,
                     GatewayOptions options)
      : registry_(registry), forms_(forms), metrics_(metrics), options_(options) {}

  grpc::ServerUnaryReactor* PrefillForm(grpc::CallbackServerContext* context,
                                        const gw::PrefillFormRequest* request,
                                        gw::PrefillFormResponse* response) override;
  grpc::ServerUnaryReactor* SubmitForm(grpc::CallbackServerContext* context,
                                       const gw::SubmitFormRequest* request,
                                       gw::SubmitFormResponse* response) override;
  grpc::ServerUnaryReactor* GetReuseStats(grpc::CallbackServerContext* context,
                                          const gw::GetReuseStatsRequest* request,
                                          gw::GetReuseStatsResponse* response) override;
  grpc::ServerUnaryReactor* VerifyReceipt(grpc::CallbackServerContext* context,
                                          const gw::VerifyReceiptRequest* request,
                                          gw::VerifyReceiptResponse* response) override;
  grpc::ServerUnaryReactor* IssueEvidence(grpc::CallbackServerContext* context,
                                          const v1::IssueEvidenceRequest* request,
                                          v1::IssueEvidenceResponse* response) override;

 private:
  // Every call's first step: admitted past the in-flight limit (RESOURCE_EXHAUSTED when
  // full), then its caller identified.
  absl::StatusOr<rpc::CallerIdentity> AdmitAndIdentify(
      const grpc::CallbackServerContext& context) const;
  absl::Time Deadline(const grpc::CallbackServerContext& context) const;
  // The form, as the gateway reads it. A form that does not exist is reported as the
  // registry answers the caller itself: a caller it does not know learns nothing about
  // which forms exist (PERMISSION_DENIED comes before existence).
  absl::StatusOr<std::shared_ptr<const Form>> FormFor(const std::string& name,
                                                      const RegistryClient::Origin& origin,
                                                      absl::Time deadline);

  RegistryClient* registry_;
  FormCache* forms_;
  rpc::RpcMetrics* metrics_;
  GatewayOptions options_;
};

}  // namespace collectonce::reuse

#endif  // COLLECTONCE_SERVICES_REUSE_GATEWAY_GATEWAY_SERVICE_H_
