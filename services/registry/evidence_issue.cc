// EvidenceService.IssueEvidence: a credential of an evidence type's fields of one subject,
// released under the same policy as GetRecord and recorded as an access event before it
// leaves (docs/evidence.md).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/evidence/credential.h"
#include "libs/evidence/status_list.h"
#include "libs/rpc/timestamps.h"
#include "services/registry/evidence_service.h"
#include "services/registry/governance_objects.h"
#include "services/registry/read_release.h"

namespace collectonce::registry {

namespace {

using catalog::Violations;
using governance::Reply;

// Whether the type lets `principal` request it for `matter`.
bool MayRequest(const v1::EvidenceType& type, const std::string& principal,
                const std::string& matter) {
  return std::any_of(type.requesters().begin(), type.requesters().end(), [&](const auto& r) {
    return r.principal() == principal &&
           std::find(r.matters().begin(), r.matters().end(), matter) != r.matters().end();
  });
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  return out;
}

// The type in the registry's governance snapshot (reloaded whenever a type is applied), so
// that an issuance reads no governance object from the store.
absl::StatusOr<const v1::EvidenceType*> FindType(const RegistryContext::EvidenceTypes& types,
                                                 const std::string& name, Violations* v) {
  if (auto s = governance::CheckName(name, "evidence-types", v); !s.ok()) return s;
  auto it = types.find(name);
  if (it == types.end()) {
    return WithReason(absl::NotFoundError(absl::StrCat(name, " is not an evidence type")),
                      "EVIDENCE_TYPE_NOT_FOUND");
  }
  return &it->second;
}

}  // namespace

grpc::ServerUnaryReactor* EvidenceServiceImpl::IssueEvidence(
    grpc::CallbackServerContext* context, const v1::IssueEvidenceRequest* request,
    v1::IssueEvidenceResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (settings_.key == nullptr) {
    return Reply(
        context,
        WithReason(absl::FailedPreconditionError("this registry has no evidence signing key"),
                   "EVIDENCE_KEY_MISSING"));
  }
  Violations v;
  const auto types = ctx_->evidence_types();
  auto found = FindType(*types, request->evidence_type(), &v);
  if (!found.ok()) return Reply(context, found.status(), v);
  const v1::EvidenceType* type = *found;
  if (request->matter().empty()) {
    return Reply(context, Invalid("name the matter the evidence serves", "PURPOSE_REQUIRED"),
                 {{"matter", "REQUIRED", "matters/{id}"}});
  }
  if (!MayRequest(*type, caller->principal.name(), request->matter())) {
    return Reply(context, WithReason(absl::PermissionDeniedError(absl::StrCat(
                                         caller->principal.name(), " may not request ",
                                         type->name(), " for ", request->matter().substr(0, 128))),
                                     "EVIDENCE_NOT_ALLOWED"));
  }
  v1::ReadOptions options;
  options.set_purpose(request->matter());
  options.set_case_id(request->case_id());
  for (const auto& f : type->fields()) options.mutable_read_mask()->add_paths(f);
  ReadPlan plan;
  if (auto s = PlanRead(*caller, ctx_->store(), type->subject_kind(), options, &plan, &v);
      !s.ok()) {
    return Reply(context, s, v);
  }
  if (auto s = ctx_->ServesRead(plan.as_of); !s.ok()) return Reply(context, s);
  if (KindOfRequest(request->subject(), request->id_number()) != type->subject_kind()) {
    return Reply(
        context,
        Invalid(
            absl::StrCat(type->name(), " is about ", catalog::CollectionOf(type->subject_kind())),
            "INVALID_VALUES"),
        {{"subject", "NAME",
          absl::StrCat("expected ", catalog::CollectionOf(type->subject_kind()), "/...")}});
  }
  auto record = ReadSubject(ctx_->store(), ctx_->clock().Today(), request->subject(),
                            request->id_number(), plan, &v);
  if (!record.ok()) return Reply(context, record.status(), v);
  v1::AccessEvent event;
  Release(plan, &*record, &event);
  evidence::IssueContext issue;
  issue.issuer = settings_.issuer;
  issue.matter = request->matter();
  issue.case_id = request->case_id();
  issue.now = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  auto prepared = evidence::PrepareCredential(*type, *record, issue, &v);
  if (!prepared.ok()) return Reply(context, prepared.status(), v);
  auto* ev = event.mutable_evidence();
  ev->set_evidence_type(type->name());
  ev->set_credential_id(prepared->id);
  ev->set_payload_sha256(prepared->payload_sha256);
  ev->set_revision(prepared->revision);
  const bool by_id_number = !request->id_number().empty();
  store::AccessRecord access = MakeAccess(*caller, plan, record->name(), std::move(event),
                                          by_id_number ? "id_number" : "name");
  const std::string status_base = status_base_url();
  auto* reactor = context->DefaultReactor();
  // Signed once the leaf that names it is durable; nothing leaves otherwise. The signature
  // and the reply are made on the call tails, not on the store's completer thread.
  ctx_->store()->RecordAccessIndexed(
      std::move(access), [this, reactor, response, status_base,
                          prepared = *std::move(prepared)](absl::StatusOr<uint64_t> index) mutable {
        tails_.Run([this, reactor, response, status_base = std::move(status_base),
                    prepared = std::move(prepared), index = std::move(index)] {
          SignAndReply(reactor, response, status_base, prepared, index);
        });
      });
  return reactor;
}

void EvidenceServiceImpl::SignAndReply(grpc::ServerUnaryReactor* reactor,
                                       v1::IssueEvidenceResponse* response,
                                       const std::string& status_base,
                                       const evidence::PreparedCredential& prepared,
                                       const absl::StatusOr<uint64_t>& index) {
  if (!index.ok()) {
    reactor->Finish(rpc::ToGrpc(index.status()));
    return;
  }
  evidence::Placement place;
  place.audit_index = *index;
  place.tree_size = *index + 1;
  place.status_uri = evidence::StatusListUri(status_base, evidence::StatusListOf(*index));
  place.status_index = evidence::StatusIndexOf(*index);
  response->set_credential(evidence::SignCredential(*signer_, prepared, place));
  response->set_credential_id(prepared.id);
  *response->mutable_issue_time() = ToTimestamp(prepared.issued_at);
  *response->mutable_expire_time() = ToTimestamp(prepared.expires_at);
  response->set_audit_index(place.audit_index);
  response->set_audit_tree_size(place.tree_size);
  response->set_status_list_uri(place.status_uri);
  response->set_status_index(place.status_index);
  response->set_revision(prepared.revision);
  for (const auto& f : prepared.fields) response->add_fields(f);
  for (const auto& f : prepared.masked_fields) response->add_masked_fields(f);
  for (const auto& f : prepared.missing_fields) response->add_missing_fields(f);
  reactor->Finish(grpc::Status::OK);
}

}  // namespace collectonce::registry
