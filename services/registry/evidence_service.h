// EvidenceService: evidence types (governance data like matters: readable by every
// registered principal, applied by governance only), issuing credentials, their keys and
// their status lists (docs/evidence.md).
#ifndef COLLECTONCE_SERVICES_REGISTRY_EVIDENCE_SERVICE_H_
#define COLLECTONCE_SERVICES_REGISTRY_EVIDENCE_SERVICE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collectonce/registry/v1/evidence.grpc.pb.h"
#include "libs/audit/published_head.h"
#include "libs/audit/signer.h"
#include "libs/evidence/credential.h"
#include "libs/jose/jwk.h"
#include "libs/jose/sd_jwt.h"
#include "services/registry/call_tails.h"
#include "services/registry/registry_context.h"

namespace collectonce::registry {

// What issuing needs besides the store. The key is separate from the audit key.
struct EvidenceSettings {
  // Signs credentials and status lists; null: IssueEvidence and GetStatusList are refused
  // (FAILED_PRECONDITION, EVIDENCE_KEY_MISSING).
  const audit::Signer* key = nullptr;
  // Every key a verifier should accept: the current one and retired ones.
  jose::Jwks jwks;
  // The credentials' iss.
  std::string issuer = "urn:collectonce:registry";
  // Status list URIs are "{status_base_url}/status-lists/{n}" (the admin port serves them at
  // /status-lists/{n}).
  std::string status_base_url = "http://127.0.0.1:7401";
  // Signs the tree heads issuance proofs are proven against (the audit key, publishing as
  // GetTreeHead does); null: GetIssuanceProof is refused (FAILED_PRECONDITION,
  // PROOFS_UNAVAILABLE).
  audit::HeadPublisher* log_heads = nullptr;
};

class ReceiptHeads;

class EvidenceServiceImpl final : public v1::EvidenceService::CallbackService {
 public:
  EvidenceServiceImpl(RegistryContext* ctx, EvidenceSettings settings);
  ~EvidenceServiceImpl() override;

  // Replaces the status lists' base URL for credentials issued from now on (the admin
  // port's address is known only once it listens).
  void set_status_base_url(std::string url) ABSL_LOCKS_EXCLUDED(mu_);
  std::string status_base_url() const ABSL_LOCKS_EXCLUDED(mu_);

  grpc::ServerUnaryReactor* ListEvidenceTypes(grpc::CallbackServerContext*,
                                              const v1::ListEvidenceTypesRequest*,
                                              v1::ListEvidenceTypesResponse*) override;
  grpc::ServerUnaryReactor* GetEvidenceType(grpc::CallbackServerContext*,
                                            const v1::GetEvidenceTypeRequest*,
                                            v1::EvidenceType*) override;
  grpc::ServerUnaryReactor* ApplyEvidenceType(grpc::CallbackServerContext*,
                                              const v1::ApplyEvidenceTypeRequest*,
                                              v1::EvidenceType*) override;
  // In evidence_issue.cc.
  grpc::ServerUnaryReactor* IssueEvidence(grpc::CallbackServerContext*,
                                          const v1::IssueEvidenceRequest*,
                                          v1::IssueEvidenceResponse*) override;
  grpc::ServerUnaryReactor* GetEvidenceKeys(grpc::CallbackServerContext*,
                                            const v1::GetEvidenceKeysRequest*,
                                            v1::EvidenceKeys*) override;
  grpc::ServerUnaryReactor* GetStatusList(grpc::CallbackServerContext*,
                                          const v1::GetStatusListRequest*,
                                          v1::StatusList*) override;
  grpc::ServerUnaryReactor* WithdrawEvidence(grpc::CallbackServerContext*,
                                             const v1::WithdrawEvidenceRequest*,
                                             v1::EvidenceWithdrawal*) override;
  // In issuance_proof.cc.
  grpc::ServerUnaryReactor* GetIssuanceProof(grpc::CallbackServerContext*,
                                             const v1::GetIssuanceProofRequest*,
                                             v1::IssuanceProof*) override;

  // The signed status list `list` (also what the admin port serves). NOT_FOUND for a list
  // beyond the audit log; FAILED_PRECONDITION without a key.
  [[nodiscard]] absl::StatusOr<v1::StatusList> StatusListToken(uint64_t list) const;
  const EvidenceSettings& settings() const { return settings_; }

 private:
  // The tail of IssueEvidence (evidence_issue.cc): sign the credential at its place in the
  // log and reply.
  void SignAndReply(grpc::ServerUnaryReactor* reactor, v1::IssueEvidenceResponse* response,
                    const std::string& status_base, const evidence::PreparedCredential& prepared,
                    const absl::StatusOr<uint64_t>& index);

  RegistryContext* ctx_;
  const EvidenceSettings settings_;
  const std::unique_ptr<ReceiptHeads> heads_;
  // Signs credentials with settings_.key (null without one).
  const std::unique_ptr<const jose::SdJwtSigner> signer_;
  // Where issuances are signed and answered once their leaf is durable.
  CallTails tails_{2};
  mutable absl::Mutex mu_;
  std::string status_base_url_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_EVIDENCE_SERVICE_H_
