#include "services/registry/record_service.h"

#include <algorithm>
#include <atomic>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/timestamp.h"
#include "libs/catalog/value_text.h"
#include "libs/disputes/dispute_store.h"
#include "libs/ident/resident_id.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/reply.h"
#include "libs/rpc/timestamps.h"
#include "libs/store/change_builder.h"
#include "services/registry/limits.h"
#include "services/registry/page_token.h"
#include "services/registry/read_receipt.h"
#include "services/registry/read_release.h"
#include "services/registry/record_filter.h"

namespace collectonce::registry {

namespace {

using catalog::Violations;
using rpc::Reply;

// Reads each subject for release under the plan: the records (filtered and masked) are
// appended to `out`, and the access events that must be durable before they leave to
// `accesses`. With skip_missing, a subject without a record at the plan's moment is left out.
absl::Status ReadForRelease(store::Store* store, const Caller& caller, const ReadPlan& plan,
                            const std::vector<catalog::SubjectName>& subjects, bool skip_missing,
                            google::protobuf::RepeatedPtrField<v1::Record>* out,
                            std::vector<store::AccessRecord>* accesses) {
  const std::vector<std::string> fields(plan.mask.begin(), plan.mask.end());
  for (const auto& subject : subjects) {
    auto record = store->GetRecord(subject, plan.as_of, fields);
    if (skip_missing && absl::IsNotFound(record.status())) continue;
    if (!record.ok()) return record.status();
    v1::AccessEvent event;
    if (Release(plan, &*record, &event)) {
      accesses->push_back(MakeAccess(caller, plan, record->name(), std::move(event), "name"));
    }
    if (absl::Status s = disputes::DisputeStore(store).MarkContested(&*record); !s.ok()) return s;
    *out->Add() = *std::move(record);
  }
  return absl::OkStatus();
}

// Finishes the call once every access event is durable; if any fails, nothing is released.
template <typename Response>
void FinishAfterAccesses(store::Store* store, std::vector<store::AccessRecord> accesses,
                         grpc::ServerUnaryReactor* reactor, Response* response) {
  if (accesses.empty()) {
    reactor->Finish(grpc::Status::OK);
    return;
  }
  struct Pending {
    std::atomic<int> left;
    absl::Mutex mu;
    absl::Status first_error;
  };
  auto pending = std::make_shared<Pending>();
  pending->left = static_cast<int>(accesses.size());
  for (auto& a : accesses) {
    store->RecordAccess(std::move(a), [pending, reactor, response](absl::Status s) {
      if (!s.ok()) {
        absl::MutexLock lock(&pending->mu);
        if (pending->first_error.ok()) pending->first_error = s;
      }
      if (--pending->left == 0) {
        absl::Status err;
        {
          absl::MutexLock lock(&pending->mu);
          err = pending->first_error;
        }
        if (!err.ok()) response->Clear();
        reactor->Finish(rpc::ToGrpc(err));
      }
    });
  }
}

// A ListRecords token is bound to the request's fields other than the page token and the
// moment read (which the token carries).
std::string ListFilterKey(const v1::ListRecordsRequest& r) {
  v1::ReadOptions o = r.options();
  o.clear_commit_time();
  return absl::StrCat(r.parent(), "|", o.SerializeAsString(), "|", r.filter());
}

// Page tokens: opaque, and bound to the request's filters so that a token from another
// query is refused instead of silently giving wrong pages.
std::string FilterKey(const v1::ListRecordRevisionsRequest& r) {
  return absl::StrCat(r.parent(), "|", r.field(), "|", r.start_time().seconds(), ".",
                      r.start_time().nanos(), "|", r.end_time().seconds(), ".",
                      r.end_time().nanos());
}

// Governance and auditors watch the whole feed; an approval system the kinds and fields its
// grants release (fixed when the stream starts).
WatchScope ScopeOf(const Caller& caller, store::Store* store) {
  WatchScope scope;
  scope.full_feed = authz::Policy::HasRole(caller.principal, v1::GOVERNANCE) ||
                    authz::Policy::HasRole(caller.principal, v1::AUDITOR);
  if (scope.full_feed) return scope;
  for (v1::SubjectKind kind : {v1::ENTERPRISE, v1::PERSON}) {
    auto cat = store->GetCatalog(kind);
    if (!cat.ok()) continue;
    for (const auto& grant : caller.principal.grants()) {
      auto releases = caller.policy->AuthorizeRead(caller.principal, grant.matter(), kind, **cat);
      if (!releases.ok()) continue;  // a matter about the other kind
      for (const auto& [field, release] : *releases) {
        if (release != authz::Release::kDenied) scope.fields[kind].insert(field);
      }
    }
  }
  return scope;
}

void MaskChange(const v1::FieldDefinition* def, authz::Release release, v1::FieldChange* c) {
  auto mask = [&](v1::Value* v) {
    std::string m = def ? catalog::MaskValue(*def, *v) : std::string("***");
    v->set_string_value(m);
  };
  if (release == authz::Release::kClear) return;
  if (release == authz::Release::kDenied) {
    c->clear_old_value();
    c->clear_new_value();
    return;
  }
  if (c->has_old_value()) mask(c->mutable_old_value());
  if (c->has_new_value()) mask(c->mutable_new_value());
}

}  // namespace

grpc::ServerUnaryReactor* RecordServiceImpl::GetRecord(grpc::CallbackServerContext* context,
                                                       const v1::GetRecordRequest* request,
                                                       v1::Record* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  const v1::SubjectKind kind = KindOfRequest(request->name(), request->id_number());
  if (kind == v1::SUBJECT_KIND_UNSPECIFIED) {
    return rpc::Reply(context,
                      Invalid("name must be enterprises/{uscc} or persons/{pid}, or give "
                              "id_number",
                              "INVALID_VALUES"),
                      {{"name", "NAME", "expected enterprises/{uscc} or persons/{pid}"}});
  }
  ReadPlan plan;
  Violations violations;
  // Authorization comes first: a refused caller learns nothing about the subject.
  absl::Status st = PlanRead(*caller, ctx_->store(), kind, request->options(), &plan, &violations);
  if (!st.ok()) return rpc::Reply(context, st, violations);
  if (st = ctx_->ServesRead(plan.as_of); !st.ok()) return rpc::Reply(context, st);
  const bool wants_receipt = request->options().receipt();
  if (wants_receipt && receipts_ == nullptr) {
    return rpc::Reply(
        context,
        WithReason(absl::FailedPreconditionError("this registry cannot sign read receipts"),
                   "RECEIPTS_UNAVAILABLE"));
  }
  auto record = ReadSubject(ctx_->store(), ctx_->clock().Today(), request->name(),
                            request->id_number(), plan, &violations);
  if (!record.ok()) {
    return rpc::Reply(context, ctx_->FollowerMiss(record.status(), plan.as_of), violations);
  }
  v1::AccessEvent event;
  const bool personal = Release(plan, &*record, &event);
  if (absl::Status s = disputes::DisputeStore(ctx_->store()).MarkContested(&*record); !s.ok())
    return Reply(context, s);
  *response = *std::move(record);
  auto* reactor = context->DefaultReactor();
  // A lookup by ID number is recorded even when no field is released: the answer alone
  // (this person has a file, its name, when it last changed) is about that person.
  const bool by_id_number = !request->id_number().empty();
  if (!personal && !by_id_number) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  store::AccessRecord access = MakeAccess(*caller, plan, response->name(), std::move(event),
                                          by_id_number ? "id_number" : "name");
  if (!wants_receipt) {
    // The data leaves only once its release is durably recorded.
    ctx_->store()->RecordAccess(std::move(access), [reactor, response](absl::Status s) {
      if (!s.ok()) response->Clear();
      reactor->Finish(rpc::ToGrpc(s));
    });
    return reactor;
  }
  // The receipt's digest is of exactly what leaves, recorded with the access.
  auto receipt =
      std::make_shared<v1::ReadReceipt>(BeginReceipt(*caller, plan, *response, &access.event));
  ctx_->store()->RecordAccessIndexed(
      std::move(access), [this, reactor, response, receipt](absl::StatusOr<uint64_t> index) {
        if (!index.ok()) {
          response->Clear();
          reactor->Finish(rpc::ToGrpc(index.status()));
          return;
        }
        receipts_->Finish(*index, receipt, [reactor, response, receipt](absl::Status s) {
          if (!s.ok()) {
            response->Clear();
          } else {
            *response->mutable_receipt() = std::move(*receipt);
          }
          reactor->Finish(rpc::ToGrpc(s));
        });
      });
  return reactor;
}

grpc::ServerUnaryReactor* RecordServiceImpl::BatchGetRecords(
    grpc::CallbackServerContext* context, const v1::BatchGetRecordsRequest* request,
    v1::BatchGetRecordsResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  if (request->names_size() == 0 || request->names_size() > kMaxBatchGet) {
    return rpc::Reply(context,
                      WithReason(absl::InvalidArgumentError(
                                     absl::StrCat("a batch names 1 to ", kMaxBatchGet,
                                                  " subjects, got ", request->names_size())),
                                 "BATCH_TOO_LARGE"),
                      {{"names", "LENGTH", absl::StrCat("1 to ", kMaxBatchGet, " names")}});
  }
  const v1::SubjectKind kind = KindOfRequest(request->names(0), "");
  Violations violations;
  std::vector<catalog::SubjectName> subjects;
  for (int i = 0; i < request->names_size(); ++i) {
    if (KindOfRequest(request->names(i), "") != kind || kind == v1::SUBJECT_KIND_UNSPECIFIED) {
      violations.push_back({absl::StrCat("names[", i, "]"), "NAME",
                            "every name in a batch is of the same kind: enterprises/ or persons/"});
    }
  }
  if (request->options().receipt()) {
    violations.push_back({"options.receipt", "NOT_SUPPORTED", "receipts are given by GetRecord"});
  }
  if (!violations.empty()) {
    return rpc::Reply(context, Invalid("the names are not valid", "INVALID_VALUES"), violations);
  }
  ReadPlan plan;
  absl::Status st = PlanRead(*caller, ctx_->store(), kind, request->options(), &plan, &violations);
  if (!st.ok()) return rpc::Reply(context, st, violations);
  if (st = ctx_->ServesRead(plan.as_of); !st.ok()) return rpc::Reply(context, st);
  for (int i = 0; i < request->names_size(); ++i) {
    auto s = catalog::ParseSubjectName(request->names(i));
    if (!s.ok()) {
      violations.push_back(
          {absl::StrCat("names[", i, "]"), "NAME", std::string(s.status().message())});
    } else {
      subjects.push_back(*s);
    }
  }
  if (!violations.empty()) {
    return rpc::Reply(context, Invalid("the names are not valid", "INVALID_VALUES"), violations);
  }
  std::vector<store::AccessRecord> accesses;
  absl::Status st2 = ReadForRelease(ctx_->store(), *caller, plan, subjects, /*skip_missing=*/false,
                                    response->mutable_records(), &accesses);
  if (!st2.ok()) return rpc::Reply(context, st2);
  auto* reactor = context->DefaultReactor();
  FinishAfterAccesses(ctx_->store(), std::move(accesses), reactor, response);
  return reactor;
}

grpc::ServerUnaryReactor* RecordServiceImpl::ListRecords(grpc::CallbackServerContext* context,
                                                         const v1::ListRecordsRequest* request,
                                                         v1::ListRecordsResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  // Listing enumerates a whole population: data governance only. Finding enterprises by
  // name is for whoever may read the name for the purpose (checked once the plan is made).
  const bool filtered = !request->filter().empty();
  if (!filtered && !authz::Policy::HasRole(caller->principal, v1::GOVERNANCE)) {
    return rpc::Reply(context,
                      WithReason(absl::PermissionDeniedError(absl::StrCat(
                                     caller->principal.name(),
                                     " may not list records; listing is for data governance")),
                                 "ROLE_MAY_NOT_LIST"));
  }
  Violations violations;
  v1::SubjectKind kind = v1::SUBJECT_KIND_UNSPECIFIED;
  if (request->parent() == "enterprises") kind = v1::ENTERPRISE;
  if (request->parent() == "persons") kind = v1::PERSON;
  if (kind == v1::SUBJECT_KIND_UNSPECIFIED) {
    violations.push_back({"parent", "NAME", "enterprises or persons"});
  }
  auto page_size = PageSize(request->page_size(), kDefaultPageSize, &violations);
  const v1::ReadOptions& o = request->options();
  if (o.revision() != 0 || o.has_valid_date()) {
    violations.push_back({"options", "AS_OF",
                          "a listing is read as of one commit_time; revision and valid_date "
                          "name different moments for different subjects"});
  }
  if (o.has_commit_time() && !IsReadTime(o.commit_time())) {
    violations.push_back({"options.commit_time", "RANGE", kReadTimeRange});
  }
  if (o.receipt()) {
    violations.push_back({"options.receipt", "NOT_SUPPORTED", "receipts are given by GetRecord"});
  }
  NameFilter filter;
  if (filtered) {
    if (request->filter().size() > 4 * kMaxFilterText) {
      violations.push_back({"filter", "INVALID_FILTER", "the filter is too long"});
      return rpc::Reply(context, WithReason(Invalid("filter: too long"), "INVALID_FILTER"),
                        violations);
    }
    auto parsed = ParseNameFilter(request->filter(), &violations);
    if (!parsed.ok()) return rpc::Reply(context, parsed.status(), violations);
    filter = *std::move(parsed);
    if (kind == v1::PERSON) {
      violations.push_back({"filter", "INVALID_FILTER", "persons are not found by name"});
      return rpc::Reply(context,
                        WithReason(Invalid("filter: enterprises only; a person is found by ID "
                                           "number (GetRecord id_number)"),
                                   "INVALID_FILTER"),
                        violations);
    }
  }
  if (!violations.empty()) {
    return rpc::Reply(context, Invalid("the request is not valid", "INVALID_VALUES"), violations);
  }
  if (!o.has_commit_time() && request->page_token().empty()) {
    // The listing would be pinned to the newest commit: on a follower, its own.
    if (auto s = ctx_->ServesRead(store::AsOf::Current()); !s.ok()) return rpc::Reply(context, s);
  }
  ListPosition token;
  const std::string filter_key = ListFilterKey(*request);
  if (!request->page_token().empty()) {
    auto decoded = ctx_->page_tokens().DecodeList(request->page_token(), filter_key);
    if (!decoded.ok()) {
      return rpc::Reply(context, TokenRefused(decoded.status(), &violations), violations);
    }
    token = *std::move(decoded);
  } else {
    token.read_time_us = o.has_commit_time() ? catalog::TimestampToMicros(o.commit_time())
                                             : ctx_->store()->Stats().last_commit_time_us;
  }
  v1::ReadOptions pinned = o;
  *pinned.mutable_commit_time() = catalog::MicrosToTimestamp(token.read_time_us);
  ReadPlan plan;
  absl::Status st = PlanRead(*caller, ctx_->store(), kind, pinned, &plan, &violations);
  if (!st.ok()) return rpc::Reply(context, st, violations);

  std::vector<store::AccessRecord> accesses;
  if (filtered) {
    // Matching on a value the caller may not read in clear would reveal it a letter at a time.
    auto release = plan.releases.find(kFilterField);
    if (release == plan.releases.end() || release->second != authz::Release::kClear) {
      return rpc::Reply(
          context,
          WithReason(absl::PermissionDeniedError(absl::StrCat(caller->principal.name(),
                                                              " may not read the "
                                                              "enterprise name in clear for ",
                                                              plan.purpose)),
                     "FILTER_FIELD_NOT_RELEASED"));
    }
    auto scan = ScanEnterprisesByName(ctx_->store(), plan.as_of, filter, token.after_id, *page_size,
                                      kMaxExaminedPerPage);
    if (!scan.ok()) return rpc::Reply(context, scan.status());
    st = ReadForRelease(ctx_->store(), *caller, plan, scan->matches, /*skip_missing=*/true,
                        response->mutable_records(), &accesses);
    if (!st.ok()) return rpc::Reply(context, st);
    if (!scan->resume_after.empty()) {
      token.after_id = scan->resume_after;
      response->set_next_page_token(ctx_->page_tokens().EncodeList(token, filter_key));
    }
  } else {
    auto subjects = ctx_->store()->ListSubjects(kind, token.after_id, *page_size);
    if (!subjects.ok()) return rpc::Reply(context, subjects.status());
    st = ReadForRelease(ctx_->store(), *caller, plan, *subjects, /*skip_missing=*/true,
                        response->mutable_records(), &accesses);
    if (!st.ok()) return rpc::Reply(context, st);
    if (static_cast<int>(subjects->size()) == *page_size) {
      token.after_id = subjects->back().id;
      response->set_next_page_token(ctx_->page_tokens().EncodeList(token, filter_key));
    }
  }
  *response->mutable_read_time() = catalog::MicrosToTimestamp(token.read_time_us);
  auto* reactor = context->DefaultReactor();
  FinishAfterAccesses(ctx_->store(), std::move(accesses), reactor, response);
  return reactor;
}

namespace {

// Turns an UpdateRecord request into a store write on the caller's authority.
absl::Status PrepareWrite(const Caller& caller, const v1::UpdateRecordRequest& request,
                          store::WriteRequest* w, Violations* violations) {
  v1::SubjectKind kind = request.kind();
  if (!request.name().empty()) {
    auto subject = catalog::ParseSubjectName(request.name());
    if (!subject.ok()) {
      violations->push_back({"name", "NAME", std::string(subject.status().message())});
      return Invalid(std::string(subject.status().message()), "INVALID_VALUES");
    }
    kind = subject->kind;
    w->subject = *subject;
  } else if (kind != v1::PERSON) {
    violations->push_back({"name", "REQUIRED", "enterprises/{uscc} or persons/{pid}"});
    return Invalid("name the subject; only a person may be given by id_number instead",
                   "INVALID_VALUES");
  }
  w->kind = kind;
  if (request.values_size() + request.clear_fields_size() > kMaxChangesPerUpdate) {
    return Invalid(absl::StrCat("at most ", kMaxChangesPerUpdate, " fields change in one update"),
                   "TOO_MANY_CHANGES");
  }
  w->changes.reserve(request.values_size() + request.clear_fields_size());
  // Map order is unspecified; a sorted order keeps request digests stable across retries.
  // The entries are sorted, not the changes, so each value is copied once and never moved.
  absl::InlinedVector<const google::protobuf::MapPair<std::string, v1::Value>*, 16> sorted;
  for (const auto& entry : request.values()) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) w->changes.push_back({entry->first, entry->second});
  for (const auto& f : request.clear_fields()) {
    if (request.values().contains(f)) {
      violations->push_back({absl::StrCat("clear_fields.", f.substr(0, 64)), "ONE_OF",
                             "a field is either set or cleared"});
    }
    w->changes.push_back({f, std::nullopt});
  }
  if (!violations->empty()) return Invalid("conflicting changes", "INVALID_VALUES");
  std::vector<absl::string_view> fields;
  fields.reserve(w->changes.size());
  for (const auto& c : w->changes) fields.push_back(c.field);
  auto authority = caller.policy->AuthorizeWrite(caller.principal, request.provenance().matter(),
                                                 request.provenance().source(), kind, fields);
  if (!authority.ok()) return authority.status();
  w->provenance = request.provenance();
  w->provenance.set_source(authority->source);
  w->provenance.set_matter(authority->matter);
  for (auto& [field, source] : authority->field_sources) {
    for (auto& c : w->changes) {
      if (c.field == field) c.source = source;
    }
  }
  w->reason = request.reason();
  w->request_id = request.request_id();
  w->principal = caller.principal.name();
  if (!request.etag().empty()) w->expected_etag = request.etag();
  if (request.has_expected_revision()) {
    if (request.expected_revision() < 0) {
      violations->push_back({"expected_revision", "RANGE", "not negative"});
      return Invalid("expected_revision is 0 (must not exist) or a revision", "INVALID_VALUES");
    }
    w->expected_revision = request.expected_revision();
  }
  return absl::OkStatus();
}

// The record's identity and the values this call wrote; old values only for governance,
// since the writer may not be allowed to read what it replaced.
void FillUpdateResponse(store::WriteResult r, bool governance, v1::UpdateRecordResponse* response) {
  absl::flat_hash_set<std::string> written;
  if (r.change_set) {
    for (const auto& c : r.change_set->changes()) written.insert(c.field());
  }
  v1::Record* rec = response->mutable_record();
  *rec = std::move(r.record);
  google::protobuf::RepeatedPtrField<v1::FieldValue> kept;
  for (auto& f : *rec->mutable_fields()) {
    if (written.contains(f.field())) kept.Add(std::move(f));
  }
  rec->mutable_fields()->Swap(&kept);
  if (r.change_set) {
    *response->mutable_change_set() = std::move(*r.change_set);
    if (!governance) {
      for (auto& c : *response->mutable_change_set()->mutable_changes()) {
        c.clear_old_value();
        c.clear_old_source();
      }
    }
  }
  response->set_unchanged(r.unchanged);
  response->set_replayed(r.replayed);
}

}  // namespace

grpc::ServerUnaryReactor* RecordServiceImpl::UpdateRecord(grpc::CallbackServerContext* context,
                                                          const v1::UpdateRecordRequest* request,
                                                          v1::UpdateRecordResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  store::WriteRequest w;
  Violations violations;
  absl::Status st = PrepareWrite(*caller, *request, &w, &violations);
  if (!st.ok()) return rpc::Reply(context, st, violations);
  const bool governance = authz::Policy::HasRole(caller->principal, v1::GOVERNANCE);
  if (request->validate_only()) {
    auto cat = ctx_->store()->GetCatalog(w.kind);
    if (!cat.ok()) {
      return rpc::Reply(
          context, WithReason(absl::FailedPreconditionError(cat.status().message()), "NO_CATALOG"));
    }
    store::CheckRequestValues(**cat, ctx_->clock().Today(), &w, &violations);
    return rpc::Reply(context, catalog::ViolationsToStatus(violations, "the write"), violations);
  }
  auto* reactor = context->DefaultReactor();
  ctx_->store()->Write(std::move(w), [reactor, response, governance](
                                         absl::StatusOr<store::WriteResult> r, Violations v) {
    if (!r.ok()) {
      reactor->Finish(rpc::ToGrpc(r.status(), v));
      return;
    }
    FillUpdateResponse(*std::move(r), governance, response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* RecordServiceImpl::BatchUpdateRecords(
    grpc::CallbackServerContext* context, const v1::BatchUpdateRecordsRequest* request,
    v1::BatchUpdateRecordsResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  const int n = request->requests_size();
  if (n == 0 || n > kMaxBatchGet) {
    return rpc::Reply(context,
                      WithReason(absl::InvalidArgumentError(absl::StrCat(
                                     "a batch holds 1 to ", kMaxBatchGet, " updates, got ", n)),
                                 "BATCH_TOO_LARGE"),
                      {{"requests", "LENGTH", absl::StrCat("1 to ", kMaxBatchGet, " updates")}});
  }
  if (!v1::UpdateResponseView_IsValid(request->view())) {
    return rpc::Reply(context,
                      Invalid(absl::StrCat("unknown view ", request->view(), "; use FULL or BASIC"),
                              "INVALID_VIEW"),
                      {{"view", "ENUM", "FULL or BASIC"}});
  }
  const bool governance = authz::Policy::HasRole(caller->principal, v1::GOVERNANCE);
  for (int i = 0; i < n; ++i) {
    response->add_responses();
    response->add_statuses();
  }
  auto* reactor = context->DefaultReactor();
  auto left = std::make_shared<std::atomic<int>>(n);
  auto finish_one = [reactor, left] {
    if (--*left == 0) reactor->Finish(grpc::Status::OK);
  };
  auto set_error = [response](int i, const absl::Status& s, const Violations& v) {
    grpc::Status g = rpc::ToGrpc(s, v);
    response->mutable_statuses(i)->ParseFromString(g.error_details());
  };
  for (int i = 0; i < n; ++i) {
    store::WriteRequest w;
    Violations violations;
    absl::Status st = PrepareWrite(*caller, request->requests(i), &w, &violations);
    if (st.ok() && request->requests(i).validate_only()) {
      // Checked like a write, written nowhere.
      auto cat = ctx_->store()->GetCatalog(w.kind);
      st = cat.ok()
               ? absl::OkStatus()
               : WithReason(absl::FailedPreconditionError(cat.status().message()), "NO_CATALOG");
      if (st.ok()) {
        store::CheckRequestValues(**cat, ctx_->clock().Today(), &w, &violations);
        st = catalog::ViolationsToStatus(violations, "the write");
      }
      if (!st.ok()) set_error(i, st, violations);
      finish_one();
      continue;
    }
    if (!st.ok()) {
      set_error(i, st, violations);
      finish_one();
      continue;
    }
    w.return_values = request->view() != v1::UPDATE_RESPONSE_VIEW_BASIC;
    // Each callback writes only its own slot; the last one to finish replies.
    ctx_->store()->Write(std::move(w), [i, response, governance, set_error, finish_one](
                                           absl::StatusOr<store::WriteResult> r, Violations v) {
      if (r.ok()) {
        FillUpdateResponse(*std::move(r), governance, response->mutable_responses(i));
      } else {
        set_error(i, r.status(), v);
      }
      finish_one();
    });
  }
  return reactor;
}

grpc::ServerUnaryReactor* RecordServiceImpl::ListRecordRevisions(
    grpc::CallbackServerContext* context, const v1::ListRecordRevisionsRequest* request,
    v1::ListRecordRevisionsResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return rpc::Reply(context, caller.status());
  if (!authz::Policy::MayReadHistory(caller->principal)) {
    return rpc::Reply(context, WithReason(absl::PermissionDeniedError(absl::StrCat(
                                              caller->principal.name(), " may not read history")),
                                          "ROLE_MAY_NOT_READ_HISTORY"));
  }
  Violations violations;
  auto subject = catalog::ParseSubjectName(request->parent());
  if (!subject.ok()) {
    violations.push_back({"parent", "NAME", std::string(subject.status().message())});
    return rpc::Reply(context, Invalid(std::string(subject.status().message()), "INVALID_VALUES"),
                      violations);
  }
  auto cat = ctx_->store()->GetCatalog(subject->kind);
  if (!cat.ok())
    return rpc::Reply(
        context, WithReason(absl::FailedPreconditionError(cat.status().message()), "NO_CATALOG"));
  // No purpose, no data: an approval system reads history for a purpose its grants cover,
  // released as GetRecord would release it. Governance and auditors may read it under their
  // roles instead, every value masked by its field's rule. Either way a release of personal
  // data is recorded.
  const bool role_view = authz::Policy::HasRole(caller->principal, v1::GOVERNANCE) ||
                         authz::Policy::HasRole(caller->principal, v1::AUDITOR);
  if (request->purpose().empty() && !role_view) {
    return rpc::Reply(context,
                      WithReason(absl::InvalidArgumentError(
                                     "an approval system reads history for a purpose its grants "
                                     "cover (purpose); no purpose, no data"),
                                 "PURPOSE_REQUIRED"));
  }
  authz::FieldReleases releases;
  if (!request->purpose().empty()) {
    auto r =
        caller->policy->AuthorizeRead(caller->principal, request->purpose(), subject->kind, **cat);
    if (!r.ok()) return rpc::Reply(context, r.status());
    releases = *std::move(r);
  }
  auto page_size = PageSize(request->page_size(), kDefaultPageSize, &violations);
  if (!request->field().empty() && (*cat)->FindField(request->field()) == nullptr) {
    violations.push_back({"field", "UNKNOWN_FIELD", "the catalog has no such field"});
  }
  store::HistoryQuery q;
  q.field = request->field();
  q.since_us = rpc::CheckedMicros(request->has_start_time(), request->start_time(), "start_time",
                                  &violations);
  q.until_us =
      rpc::CheckedMicros(request->has_end_time(), request->end_time(), "end_time", &violations);
  q.page_size = page_size.ok() ? *page_size : kDefaultPageSize;
  if (!violations.empty())
    return rpc::Reply(context, Invalid("the request is not valid", "INVALID_VALUES"), violations);
  const std::string filter_key = FilterKey(*request);
  if (!request->page_token().empty()) {
    auto before = ctx_->page_tokens().DecodeHistory(request->page_token(), filter_key);
    if (!before.ok()) {
      return rpc::Reply(context, TokenRefused(before.status(), &violations), violations);
    }
    q.before_revision = *before;
  }
  auto page = ctx_->store()->ListHistory(*subject, q);
  if (!page.ok()) return rpc::Reply(context, page.status());
  v1::AccessEvent event;
  absl::flat_hash_set<std::string> clear, masked;
  // As for GetRecord: any value of a person, and an enterprise's personal fields (its legal
  // representative, its contact phone), are a release of personal data.
  bool personal = subject->kind == v1::PERSON;
  for (auto& cs : page->change_sets) {
    for (auto& c : *cs.mutable_changes()) {
      auto it = releases.find(c.field());
      authz::Release rel = releases.empty()       ? authz::Release::kMasked
                           : it == releases.end() ? authz::Release::kDenied
                                                  : it->second;
      const v1::FieldDefinition* def = (*cat)->FindField(c.field());
      MaskChange(def, rel, &c);
      if (rel == authz::Release::kDenied) continue;
      if (rel == authz::Release::kClear) clear.insert(c.field());
      if (rel == authz::Release::kMasked) masked.insert(c.field());
      if (def != nullptr && def->sensitivity() >= v1::PERSONAL) personal = true;
    }
    *response->add_change_sets() = std::move(cs);
  }
  if (page->next_before_revision > 0) {
    response->set_next_page_token(
        ctx_->page_tokens().EncodeHistory(page->next_before_revision, filter_key));
  }
  auto* reactor = context->DefaultReactor();
  if (!personal || (clear.empty() && masked.empty())) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  for (const auto& f : clear) event.add_fields(f);
  for (const auto& f : masked) event.add_masked_fields(f);
  ReadPlan plan;
  plan.purpose = request->purpose();
  ctx_->store()->RecordAccess(
      MakeAccess(*caller, plan, subject->ToString(), std::move(event), "history"),
      [reactor, response](absl::Status s) {
        if (!s.ok()) response->Clear();
        reactor->Finish(rpc::ToGrpc(s));
      });
  return reactor;
}

grpc::ServerWriteReactor<v1::WatchChangesResponse>* RecordServiceImpl::WatchChanges(
    grpc::CallbackServerContext* context, const v1::WatchChangesRequest* request) {
  auto caller = ctx_->Resolve(*context);
  absl::Status st = caller.status();
  Violations violations;
  if (st.ok() && !authz::Policy::MayReadHistory(caller->principal)) {
    st = WithReason(absl::PermissionDeniedError(
                        absl::StrCat(caller->principal.name(), " may not watch changes")),
                    "ROLE_MAY_NOT_READ_HISTORY");
  }
  if (st.ok()) {
    if (request->after_sequence() < 0) {
      violations.push_back({"after_sequence", "RANGE", "not negative"});
    }
    if (request->fields_size() > kMaxWatchFields) {
      violations.push_back({"fields", "LENGTH", "at most 200 fields"});
    }
    if (!violations.empty()) st = Invalid("the watch request is not valid", "INVALID_VALUES");
  }
  if (!st.ok()) return WatchHub::Refuse(rpc::ToGrpc(st, violations));
  return hub_->Start(*request, ScopeOf(*caller, ctx_->store()));
}

}  // namespace collectonce::registry
