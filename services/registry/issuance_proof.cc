// EvidenceService.GetIssuanceProof: a credential's issuance leaf proven in a signed tree head
// (docs/evidence.md, "The issuance in the log").
#include "absl/strings/str_cat.h"
#include "services/registry/evidence_service.h"
#include "services/registry/governance_objects.h"
#include "services/registry/read_receipt.h"

namespace collectonce::registry {

grpc::ServerUnaryReactor* EvidenceServiceImpl::GetIssuanceProof(
    grpc::CallbackServerContext* context, const v1::GetIssuanceProofRequest* request,
    v1::IssuanceProof* response) {
  using governance::Reply;
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (request->payload_sha256().size() != 32) {
    return Reply(context,
                 WithReason(absl::InvalidArgumentError(
                                "name the credential by its payload digest (32 bytes of SHA-256)"),
                            "INVALID_VALUES"),
                 {{"payload_sha256", "INVALID", "SHA-256 of the payload, 32 bytes"}});
  }
  if (heads_ == nullptr) {
    return Reply(
        context,
        WithReason(absl::FailedPreconditionError("this registry signs no tree heads for proofs"),
                   "PROOFS_UNAVAILABLE"));
  }
  store::Store* store = ctx_->store();
  const uint64_t index = request->audit_index();
  // One answer for a leaf beyond the log, a leaf that is no issuance and another digest: the
  // digest is what entitles a caller to the proof, so nothing is told without it.
  auto entry = index < store->Stats().audit_size
                   ? store->ReadAuditEntry(index)
                   : absl::StatusOr<v1::AuditEntry>(absl::NotFoundError("beyond the log"));
  if (!entry.ok() && !absl::IsNotFound(entry.status())) return Reply(context, entry.status());
  if (!entry.ok() || !entry->access().has_evidence() ||
      entry->access().evidence().payload_sha256() != request->payload_sha256()) {
    return Reply(
        context,
        WithReason(absl::NotFoundError(absl::StrCat(
                       "no credential with that payload digest was issued at audit leaf ", index)),
                   "EVIDENCE_NOT_FOUND"));
  }
  auto head = heads_->Covering(store, index, ctx_->clock().NowMicros());
  if (!head.ok()) return Reply(context, head.status());
  response->set_format_version(1);
  absl::Status s = ProveEntry(store, store->AuditNodes(), *head, heads_->signer().PublicKeyRaw(),
                              index, response->mutable_entry(), response->mutable_inclusion_proof(),
                              response->mutable_tree_head());
  return Reply(context, s);
}

}  // namespace collectonce::registry
