#include "services/registry/audit_service.h"

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/audit/merkle.h"
#include "libs/audit/tree_head.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/timestamp.h"
#include "libs/ident/resident_id.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/reply.h"
#include "libs/rpc/timestamps.h"
#include "services/registry/limits.h"
#include "services/registry/page_token.h"

namespace collectonce::registry {

namespace {

// ListAuditEntries pages are larger by default: verifiers read the whole log.
constexpr int kDefaultEntriesPage = 500;
// A page of ListChanges scans at most this many log entries, so that a rare filter still
// answers in bounded time; the token continues the scan.
constexpr int kMaxChangesScan = 20000;
// VerifyStoredStates: subjects per call (at most kMaxPageSize), so that a call reads a
// bounded part of the store.
constexpr int kDefaultStatesPage = 1000;

absl::Status RequireAuditor(const Caller& caller) {
  if (authz::Policy::HasRole(caller.principal, v1::AUDITOR) ||
      authz::Policy::HasRole(caller.principal, v1::GOVERNANCE)) {
    return absl::OkStatus();
  }
  return WithReason(absl::PermissionDeniedError(
                        absl::StrCat(caller.principal.name(), " may not read the audit log")),
                    "ROLE_MAY_NOT_AUDIT");
}

// The person an auditor names by ID number (auditors and governance only, checked before
// the number is looked at): INVALID_ARGUMENT for a number that is not one, NOT_FOUND when
// no person has it.
absl::StatusOr<catalog::SubjectName> FindPersonForAudit(const Caller& caller,
                                                        const v1::ListAccessEventsRequest& r,
                                                        store::Store* store, absl::CivilDay today) {
  if (auto s = RequireAuditor(caller); !s.ok()) return s;
  if (!r.subject().empty()) {
    return WithReason(absl::InvalidArgumentError("give a subject or an id_number, not both"),
                      "INVALID_VALUES");
  }
  auto id = ident::ParseResidentId(r.id_number(), today);
  if (!id.ok()) {
    return WithReason(absl::InvalidArgumentError(id.status().message()), "INVALID_VALUES");
  }
  return store->FindPerson(id->number);
}

std::string HashBytes(const audit::Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}

std::string Header(const grpc::ServerContextBase& ctx, const char* name) {
  auto it = ctx.client_metadata().find(name);
  return it == ctx.client_metadata().end() ? std::string()
                                           : std::string(it->second.data(), it->second.size());
}

}  // namespace

grpc::ServerUnaryReactor* AuditServiceImpl::GetTreeHead(grpc::CallbackServerContext* context,
                                                        const v1::GetTreeHeadRequest*,
                                                        v1::SignedTreeHead* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  if (auto s = RequireAuditor(*caller); !s.ok()) return rpc::Reply(context, s);
  audit::TreeHead head;
  head.size = ctx_->store()->Stats().audit_size;
  auto root = audit::RootAt(ctx_->store()->AuditNodes(), head.size);
  if (!root.ok()) return rpc::Reply(context, root.status());
  head.root = *root;
  head.timestamp_us = ctx_->clock().NowMicros();
  std::string signature;
  if (publisher_ != nullptr) {
    auto published = publisher_->Publish(head);
    if (!published.ok()) return rpc::Reply(context, published.status());
    signature = std::move(published->signature);
  } else {
    signature = signer_->Sign(audit::SigningInput(head));
  }
  response->set_tree_size(head.size);
  response->set_root_hash(HashBytes(head.root));
  response->set_timestamp_us(head.timestamp_us);
  response->set_signature(std::move(signature));
  response->set_public_key(signer_->PublicKeyRaw());
  return rpc::Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetInclusionProof(
    grpc::CallbackServerContext* context, const v1::GetInclusionProofRequest* request,
    v1::InclusionProof* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  if (auto s = RequireAuditor(*caller); !s.ok()) return rpc::Reply(context, s);
  const uint64_t size = ctx_->store()->Stats().audit_size;
  if (request->tree_size() > size || request->index() >= request->tree_size()) {
    return rpc::Reply(
        context, WithReason(absl::OutOfRangeError(absl::StrCat("need index < tree_size <= ", size)),
                            "OUT_OF_RANGE"));
  }
  auto proof =
      audit::InclusionProof(ctx_->store()->AuditNodes(), request->index(), request->tree_size());
  if (!proof.ok()) return rpc::Reply(context, proof.status());
  auto leaf = ctx_->store()->AuditNodes().Subtree(0, request->index());
  if (!leaf.ok()) return rpc::Reply(context, leaf.status());
  response->set_index(request->index());
  response->set_tree_size(request->tree_size());
  response->set_leaf_hash(HashBytes(*leaf));
  for (const auto& h : *proof) response->add_hashes(HashBytes(h));
  return rpc::Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AuditServiceImpl::GetConsistencyProof(
    grpc::CallbackServerContext* context, const v1::GetConsistencyProofRequest* request,
    v1::ConsistencyProof* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  if (auto s = RequireAuditor(*caller); !s.ok()) return rpc::Reply(context, s);
  const uint64_t size = ctx_->store()->Stats().audit_size;
  if (request->new_size() > size || request->old_size() == 0 ||
      request->old_size() > request->new_size()) {
    return rpc::Reply(
        context,
        WithReason(absl::OutOfRangeError(absl::StrCat("need 0 < old_size <= new_size <= ", size)),
                   "OUT_OF_RANGE"));
  }
  auto proof = audit::ConsistencyProof(ctx_->store()->AuditNodes(), request->old_size(),
                                       request->new_size());
  if (!proof.ok()) return rpc::Reply(context, proof.status());
  response->set_old_size(request->old_size());
  response->set_new_size(request->new_size());
  for (const auto& h : *proof) response->add_hashes(HashBytes(h));
  return rpc::Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAuditEntries(
    grpc::CallbackServerContext* context, const v1::ListAuditEntriesRequest* request,
    v1::ListAuditEntriesResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  if (auto s = RequireAuditor(*caller); !s.ok()) return rpc::Reply(context, s);
  catalog::Violations violations;
  auto size = PageSize(request->page_size(), kDefaultEntriesPage, &violations);
  if (!size.ok()) return rpc::Reply(context, size.status(), violations);
  const uint64_t tree_size = ctx_->store()->Stats().audit_size;
  auto entries = ctx_->store()->ReadAuditEntries(request->start_index(), *size, false);
  if (!entries.ok()) return rpc::Reply(context, entries.status());
  response->set_tree_size(tree_size);
  for (auto& e : *entries) {
    if (e.index >= tree_size) break;  // committed after the size was read
    auto* out = response->add_entries();
    out->set_index(e.index);
    out->set_entry(std::move(e.bytes));
    out->set_stored_leaf_hash(std::move(e.stored_leaf_hash));
    out->set_stored_change_set_sha256(std::move(e.stored_change_set_sha256));
  }
  return rpc::Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListChanges(grpc::CallbackServerContext* context,
                                                        const v1::ListChangesRequest* request,
                                                        v1::ListChangesResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  if (auto s = RequireAuditor(*caller); !s.ok()) return rpc::Reply(context, s);
  catalog::Violations violations;
  auto page_size = PageSize(request->page_size(), kDefaultPageSize, &violations);
  if (!page_size.ok()) return rpc::Reply(context, page_size.status(), violations);
  const int page = *page_size;
  uint64_t before = ctx_->store()->Stats().audit_size;
  if (!request->page_token().empty()) {
    auto decoded = ctx_->page_tokens().DecodeAuditIndex(request->page_token());
    if (!decoded.ok())
      return rpc::Reply(context, TokenRefused(decoded.status(), &violations), violations);
    before = *decoded;
  }
  rpc::TimeRange range;
  if (auto s = rpc::ReadTimeRange(*request, &range, &violations); !s.ok()) {
    return rpc::Reply(context, s, violations);
  }
  const int64_t since = range.since_us, until = range.until_us;
  int scanned = 0;
  while (before > 0 && response->entries_size() < page && scanned < kMaxChangesScan) {
    auto chunk = ctx_->store()->ReadAuditEntries(before, 500, /*reverse=*/true);
    if (!chunk.ok()) return rpc::Reply(context, chunk.status());
    if (chunk->empty()) {
      before = 0;
      break;
    }
    for (auto& e : *chunk) {
      before = e.index;
      ++scanned;
      v1::AuditEntry entry;
      if (!entry.ParseFromString(e.bytes) || !entry.has_change()) continue;
      const int64_t t = catalog::TimestampToMicros(entry.time());
      if (since != 0 && t < since) {
        before = 0;  // older entries are older still
        break;
      }
      if (until != 0 && t > until) continue;
      const auto& c = entry.change();
      if (!request->subject().empty() && c.subject() != request->subject()) continue;
      if (!request->principal().empty() && entry.principal() != request->principal()) continue;
      if (!request->source().empty() && c.source() != request->source()) continue;
      if (!request->field().empty() &&
          std::find(c.fields().begin(), c.fields().end(), request->field()) == c.fields().end()) {
        continue;
      }
      *response->add_entries() = std::move(entry);
      if (response->entries_size() == page) break;
    }
  }
  if (before > 0) response->set_next_page_token(ctx_->page_tokens().EncodeAuditIndex(before));
  return rpc::Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* AuditServiceImpl::ListAccessEvents(
    grpc::CallbackServerContext* context, const v1::ListAccessEventsRequest* request,
    v1::ListAccessEventsResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  const bool by_id_number = !request->id_number().empty();
  auto subject = by_id_number
                     ? FindPersonForAudit(*caller, *request, ctx_->store(), ctx_->clock().Today())
                     : catalog::ParseSubjectName(request->subject());
  if (by_id_number && !subject.ok()) {
    catalog::Violations v;
    if (absl::IsInvalidArgument(subject.status())) {
      v.push_back({"id_number", "FORMAT", std::string(subject.status().message())});
    }
    return rpc::Reply(context, subject.status(), v);
  }
  if (!subject.ok()) {
    return rpc::Reply(
        context,
        WithReason(absl::InvalidArgumentError(subject.status().message()), "INVALID_VALUES"),
        {{"subject", "NAME", std::string(subject.status().message())}});
  }
  if (RequireAuditor(*caller).ok()) {
    // auditors and governance see every subject
  } else if (authz::Policy::HasRole(caller->principal, v1::SUBJECT_PORTAL)) {
    // A portal answers "who looked at my data" for the citizen or enterprise it has
    // authenticated, and names that subject in x-subject.
    if (Header(*context, "x-subject") != subject->ToString()) {
      return rpc::Reply(
          context, WithReason(absl::PermissionDeniedError(
                                  "a subject portal reads only the subject it names in x-subject"),
                              "NOT_THIS_SUBJECT"));
    }
  } else {
    return rpc::Reply(context, RequireAuditor(*caller));
  }
  catalog::Violations violations;
  auto page = PageSize(request->page_size(), kDefaultPageSize, &violations);
  if (!page.ok()) return rpc::Reply(context, page.status(), violations);
  std::string before;
  if (!request->page_token().empty()) {
    auto decoded = ctx_->page_tokens().DecodeKey(PageList::kAccessEvents, request->page_token());
    if (!decoded.ok())
      return rpc::Reply(context, TokenRefused(decoded.status(), &violations), violations);
    before = *std::move(decoded);
  }
  auto listed = ctx_->store()->ListAccessEvents(*subject, before, *page);
  if (absl::IsInvalidArgument(listed.status())) {
    // A token for another subject; a failed read keeps its own code and reason.
    return rpc::Reply(context, WithReason(listed.status(), "INVALID_PAGE_TOKEN"),
                      {{"page_token", "TOKEN", std::string(listed.status().message())}});
  }
  if (!listed.ok()) return rpc::Reply(context, listed.status());
  for (uint64_t index : listed->first) {
    auto e = ctx_->store()->ReadAuditEntry(index);
    if (!e.ok()) return rpc::Reply(context, e.status());
    *response->add_entries() = *std::move(e);
  }
  if (!listed->second.empty()) {
    response->set_next_page_token(
        ctx_->page_tokens().EncodeKey(PageList::kAccessEvents, listed->second));
  }
  response->set_subject(subject->ToString());
  if (!by_id_number) return rpc::Reply(context, absl::OkStatus());
  // The answer names the person's file: it leaves only once the lookup is durably recorded.
  store::AccessRecord lookup;
  lookup.principal = caller->principal.name();
  lookup.event.set_subject(subject->ToString());
  lookup.event.set_via(caller->via);
  lookup.event.set_lookup("id_number");
  auto* reactor = context->DefaultReactor();
  ctx_->store()->RecordAccess(std::move(lookup), [reactor, response](absl::Status s) {
    if (!s.ok()) response->Clear();
    reactor->Finish(rpc::ToGrpc(s));
  });
  return reactor;
}

grpc::ServerUnaryReactor* AuditServiceImpl::VerifyStoredStates(
    grpc::CallbackServerContext* context, const v1::VerifyStoredStatesRequest* request,
    v1::VerifyStoredStatesResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  if (auto s = RequireAuditor(*caller); !s.ok()) return rpc::Reply(context, s);
  catalog::Violations violations;
  auto page = PageSize(request->page_size(), kDefaultStatesPage, &violations);
  if (!page.ok()) return rpc::Reply(context, page.status(), violations);
  std::string after;
  if (!request->page_token().empty()) {
    auto decoded = ctx_->page_tokens().DecodeKey(PageList::kStoredStates, request->page_token());
    if (!decoded.ok()) {
      return rpc::Reply(context, TokenRefused(decoded.status(), &violations), violations);
    }
    after = *std::move(decoded);
  }
  auto checked = ctx_->store()->VerifyStates(after, *page);
  if (!checked.ok()) return rpc::Reply(context, checked.status());
  response->set_subjects_checked(checked->subjects);
  response->set_states_checked(checked->states);
  response->set_first_bad_subject(checked->bad_subject);
  response->set_first_bad_revision(checked->bad_revision);
  response->set_problem(checked->problem);
  if (!checked->next_after.empty()) {
    response->set_next_page_token(
        ctx_->page_tokens().EncodeKey(PageList::kStoredStates, checked->next_after));
  }
  return rpc::Reply(context, absl::OkStatus());
}

}  // namespace collectonce::registry
