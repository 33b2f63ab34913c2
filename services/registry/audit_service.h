// AuditService: signed tree heads, proofs, the raw entries for independent verification,
// change and access queries. Auditors and governance read everything; a subject portal
// reads the access events of the one subject it names in x-subject.
#ifndef COLLECTONCE_SERVICES_REGISTRY_AUDIT_SERVICE_H_
#define COLLECTONCE_SERVICES_REGISTRY_AUDIT_SERVICE_H_

#include "collectonce/registry/v1/registry_service.grpc.pb.h"
#include "libs/audit/published_head.h"
#include "libs/audit/signer.h"
#include "services/registry/registry_context.h"

namespace collectonce::registry {

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  // With a `publisher`, every head GetTreeHead hands out is signed by it, and a newer one is
  // in its published-head file before the reply; without, heads are signed by `signer` only.
  AuditServiceImpl(RegistryContext* ctx, const audit::Signer* signer,
                   audit::HeadPublisher* publisher = nullptr)
      : ctx_(ctx), signer_(signer), publisher_(publisher) {}

  grpc::ServerUnaryReactor* GetTreeHead(grpc::CallbackServerContext*, const v1::GetTreeHeadRequest*,
                                        v1::SignedTreeHead*) override;
  grpc::ServerUnaryReactor* GetInclusionProof(grpc::CallbackServerContext*,
                                              const v1::GetInclusionProofRequest*,
                                              v1::InclusionProof*) override;
  grpc::ServerUnaryReactor* GetConsistencyProof(grpc::CallbackServerContext*,
                                                const v1::GetConsistencyProofRequest*,
                                                v1::ConsistencyProof*) override;
  grpc::ServerUnaryReactor* ListAuditEntries(grpc::CallbackServerContext*,
                                             const v1::ListAuditEntriesRequest*,
                                             v1::ListAuditEntriesResponse*) override;
  grpc::ServerUnaryReactor* ListChanges(grpc::CallbackServerContext*, const v1::ListChangesRequest*,
                                        v1::ListChangesResponse*) override;
  grpc::ServerUnaryReactor* ListAccessEvents(grpc::CallbackServerContext*,
                                             const v1::ListAccessEventsRequest*,
                                             v1::ListAccessEventsResponse*) override;
  grpc::ServerUnaryReactor* VerifyStoredStates(grpc::CallbackServerContext*,
                                               const v1::VerifyStoredStatesRequest*,
                                               v1::VerifyStoredStatesResponse*) override;

 private:
  RegistryContext* ctx_;
  const audit::Signer* signer_;
  audit::HeadPublisher* publisher_;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_AUDIT_SERVICE_H_
