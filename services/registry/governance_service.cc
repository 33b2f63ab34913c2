#include "services/registry/governance_service.h"

#include <atomic>
#include <filesystem>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/authz/validate.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/timestamp.h"
#include "libs/rpc/errors.h"
#include "services/registry/governance_objects.h"
#include "services/registry/limits.h"
#include "services/registry/page_token.h"

namespace collectonce::registry {

namespace {

using catalog::Violations;
using governance::CheckName;
using governance::ClearOutputOnly;
using governance::Exists;
using governance::ListPage;
using governance::Load;
using governance::Reply;
using governance::RequireRole;
using governance::StoreObject;

// INVALID_ARGUMENT when `directory` is the store's own directory or inside it (BackupEngine
// would write its files among RocksDB's, and a restore of the store would carry its own
// backups). Symbolic links are followed as far as the path exists.
absl::Status BackupInsideStore(const std::string& directory, const std::string& data_dir) {
  if (data_dir.empty()) return absl::OkStatus();
  std::error_code ec;
  const std::filesystem::path store = std::filesystem::weakly_canonical(data_dir, ec);
  if (ec) return absl::OkStatus();
  const std::filesystem::path target = std::filesystem::weakly_canonical(directory, ec);
  if (ec) return absl::OkStatus();
  auto s = store.begin(), t = target.begin();
  for (; s != store.end() && t != target.end() && *s == *t; ++s, ++t) {
  }
  // Every part of the store's path is a prefix of the target's (a trailing "" is the
  // canonical form of a trailing slash).
  if (s == store.end() || (std::next(s) == store.end() && s->empty())) {
    return WithReason(absl::InvalidArgumentError(
                          "the backup directory is the registry's data directory or inside it; "
                          "give a directory outside the data directory"),
                      "INVALID_VALUES");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* GovernanceServiceImpl::GetCatalog(grpc::CallbackServerContext* context,
                                                            const v1::GetCatalogRequest* request,
                                                            v1::Catalog* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  absl::string_view name = request->name();
  if (name.rfind("catalogs/", 0) == 0) name.remove_prefix(9);
  auto kind = catalog::ParseKindName(name);
  if (!kind.ok()) {
    return Reply(context, kind.status(),
                 {{"name", "NAME", "catalogs/enterprise or catalogs/person"}});
  }
  auto cat = ctx_->store()->GetCatalog(*kind);
  if (!cat.ok()) return Reply(context, cat.status());
  *response = (*cat)->proto();
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::ApplyCatalog(
    grpc::CallbackServerContext* context, const v1::ApplyCatalogRequest* request,
    v1::ApplyCatalogResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (auto s = RequireRole(*caller, {v1::GOVERNANCE}, "change the catalog"); !s.ok()) {
    return Reply(context, s);
  }
  auto before = ctx_->store()->GetCatalog(request->catalog().kind());
  std::shared_ptr<const catalog::Catalog> old = before.ok() ? *before : nullptr;
  auto* reactor = context->DefaultReactor();
  const bool dry_run = request->validate_only();
  // The store calls back once the new version is durable; no gRPC thread waits for it.
  ctx_->store()->ApplyCatalogAsync(
      request->catalog(), caller->principal.name(), dry_run,
      [reactor, response, old](absl::StatusOr<v1::Catalog> applied, Violations v) {
        if (!applied.ok()) {
          // A refusal of the catalog itself is INVALID_CATALOG; a store failure or a
          // shutdown keeps its own reason.
          absl::Status st = applied.status();
          const bool about_catalog = absl::IsInvalidArgument(st) || absl::IsFailedPrecondition(st);
          if (about_catalog && ReasonOf(st).empty()) {
            st = WithReason(std::move(st), "INVALID_CATALOG");
          }
          reactor->Finish(rpc::ToGrpc(st, v));
          return;
        }
        // A dry run answers with the version it would create; an identical catalog keeps its.
        response->set_changed(!old || old->version() != applied->version());
        absl::flat_hash_set<std::string> old_fields, old_deprecated;
        if (old) {
          for (const auto& f : old->proto().fields()) {
            old_fields.insert(f.name());
            if (f.deprecated()) old_deprecated.insert(f.name());
          }
        }
        for (const auto& f : applied->fields()) {
          if (!old_fields.contains(f.name())) response->add_added_fields(f.name());
          if (f.deprecated() && !old_deprecated.contains(f.name())) {
            response->add_deprecated_fields(f.name());
          }
        }
        *response->mutable_catalog() = *std::move(applied);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::ListMatters(grpc::CallbackServerContext* context,
                                                             const v1::ListMattersRequest* request,
                                                             v1::ListMattersResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  return ListPage<v1::Matter>(context, ctx_, "matters", PageList::kMatters, request->page_size(),
                              request->page_token(), response->mutable_next_page_token(),
                              [&](v1::Matter m) { *response->add_matters() = std::move(m); });
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::GetMatter(grpc::CallbackServerContext* context,
                                                           const v1::GetMatterRequest* request,
                                                           v1::Matter* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  Violations bad_name;
  if (auto s = CheckName(request->name(), "matters", &bad_name); !s.ok()) {
    return Reply(context, s, bad_name);
  }
  auto m = Load<v1::Matter>(ctx_->store(), "matters", request->name());
  if (!m.ok()) return Reply(context, m.status());
  *response = *std::move(m);
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::ApplyMatter(grpc::CallbackServerContext* context,
                                                             const v1::ApplyMatterRequest* request,
                                                             v1::Matter* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (auto s = RequireRole(*caller, {v1::GOVERNANCE}, "change matters"); !s.ok()) {
    return Reply(context, s);
  }
  v1::Matter m = request->matter();
  ClearOutputOnly(&m);
  auto cat = ctx_->store()->GetCatalog(m.subject_kind());
  Violations v;
  authz::ValidateMatter(m, cat.ok() ? cat->get() : nullptr, &v);
  if (!v.empty())
    return Reply(context,
                 WithReason(catalog::ViolationsToStatus(v, "the matter"), "INVALID_MATTER"), v);
  if (request->validate_only()) {
    *response = m;
    return Reply(context, absl::OkStatus());
  }
  return StoreObject(context, ctx_, "matters", std::move(m), caller->principal.name(), true,
                     response);
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::ListBundles(grpc::CallbackServerContext* context,
                                                             const v1::ListBundlesRequest* request,
                                                             v1::ListBundlesResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  return ListPage<v1::Bundle>(context, ctx_, "bundles", PageList::kBundles, request->page_size(),
                              request->page_token(), response->mutable_next_page_token(),
                              [&](v1::Bundle b) { *response->add_bundles() = std::move(b); });
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::GetBundle(grpc::CallbackServerContext* context,
                                                           const v1::GetBundleRequest* request,
                                                           v1::Bundle* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  Violations bad_name;
  if (auto s = CheckName(request->name(), "bundles", &bad_name); !s.ok()) {
    return Reply(context, s, bad_name);
  }
  auto b = Load<v1::Bundle>(ctx_->store(), "bundles", request->name());
  if (!b.ok()) return Reply(context, b.status());
  *response = *std::move(b);
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::ApplyBundle(grpc::CallbackServerContext* context,
                                                             const v1::ApplyBundleRequest* request,
                                                             v1::Bundle* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (auto s = RequireRole(*caller, {v1::GOVERNANCE}, "change bundles"); !s.ok()) {
    return Reply(context, s);
  }
  v1::Bundle b = request->bundle();
  ClearOutputOnly(&b);
  Violations v;
  authz::ValidateBundle(
      b, [&](const std::string& m) { return Exists(ctx_->store(), "matters", m); }, &v);
  if (!v.empty())
    return Reply(context,
                 WithReason(catalog::ViolationsToStatus(v, "the bundle"), "INVALID_BUNDLE"), v);
  if (request->validate_only()) {
    *response = b;
    return Reply(context, absl::OkStatus());
  }
  return StoreObject(context, ctx_, "bundles", std::move(b), caller->principal.name(), true,
                     response);
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::ListPrincipals(
    grpc::CallbackServerContext* context, const v1::ListPrincipalsRequest* request,
    v1::ListPrincipalsResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (auto s = RequireRole(*caller, {v1::GOVERNANCE, v1::AUDITOR}, "list principals"); !s.ok()) {
    return Reply(context, s);
  }
  return ListPage<v1::Principal>(
      context, ctx_, "principals", PageList::kPrincipals, request->page_size(),
      request->page_token(), response->mutable_next_page_token(),
      [&](v1::Principal p) { *response->add_principals() = std::move(p); });
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::GetPrincipal(
    grpc::CallbackServerContext* context, const v1::GetPrincipalRequest* request,
    v1::Principal* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  // Anyone may read their own principal; others' only governance and auditors.
  if (request->name() != caller->principal.name()) {
    if (auto s = RequireRole(*caller, {v1::GOVERNANCE, v1::AUDITOR}, "read other principals");
        !s.ok()) {
      return Reply(context, s);
    }
  }
  Violations bad_name;
  if (auto s = CheckName(request->name(), "principals", &bad_name); !s.ok()) {
    return Reply(context, s, bad_name);
  }
  auto p = Load<v1::Principal>(ctx_->store(), "principals", request->name());
  if (!p.ok()) return Reply(context, p.status());
  *response = *std::move(p);
  return Reply(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::ApplyPrincipal(
    grpc::CallbackServerContext* context, const v1::ApplyPrincipalRequest* request,
    v1::Principal* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (auto s = RequireRole(*caller, {v1::GOVERNANCE}, "change principals"); !s.ok()) {
    return Reply(context, s);
  }
  v1::Principal p = request->principal();
  ClearOutputOnly(&p);
  Violations v;
  auto policy = ctx_->policy();
  authz::ValidatePrincipal(
      p,
      [&](const std::string& m) {
        return Exists(ctx_->store(), "matters", m) || Exists(ctx_->store(), "bundles", m);
      },
      [&](const std::string& identity) {
        const v1::Principal* owner = policy->FindIdentity(identity);
        return owner == nullptr || owner->name() == "principals/bootstrap-governance"
                   ? std::string()
                   : owner->name();
      },
      &v);
  if (!v.empty())
    return Reply(context,
                 WithReason(catalog::ViolationsToStatus(v, "the principal"), "INVALID_PRINCIPAL"),
                 v);
  if (request->validate_only()) {
    *response = p;
    return Reply(context, absl::OkStatus());
  }
  return StoreObject(context, ctx_, "principals", std::move(p), caller->principal.name(), true,
                     response);
}

grpc::ServerUnaryReactor* GovernanceServiceImpl::CreateBackup(
    grpc::CallbackServerContext* context, const v1::CreateBackupRequest* request,
    v1::CreateBackupResponse* response) {
  auto caller = ctx_->Resolve(*context);
  if (!caller.ok()) return Reply(context, caller.status());
  if (auto s = RequireRole(*caller, {v1::GOVERNANCE}, "create backups"); !s.ok()) {
    return Reply(context, s);
  }
  if (request->directory().empty() || request->directory()[0] != '/' ||
      request->directory().size() > 1024) {
    return Reply(context,
                 WithReason(absl::InvalidArgumentError("give an absolute backup directory"),
                            "INVALID_VALUES"),
                 {{"directory", "REQUIRED", "an absolute path on the registry's host"}});
  }
  if (auto inside = BackupInsideStore(request->directory(), ctx_->data_dir()); !inside.ok()) {
    return Reply(context, inside, {{"directory", "PATH", std::string(inside.message())}});
  }
  // A backup copies the whole store: it runs on a thread of its own, one at a time.
  static std::atomic<bool> running{false};
  if (running.exchange(true)) {
    return Reply(context, WithReason(absl::FailedPreconditionError("a backup is already running"),
                                     "BACKUP_RUNNING"));
  }
  auto* reactor = context->DefaultReactor();
  std::thread([reactor, response, store = ctx_->store(), dir = request->directory(),
               recorder = ctx_->backup_recorder()] {
    auto info = store->CreateBackup(dir);
    running = false;
    if (!info.ok()) {
      reactor->Finish(rpc::ToGrpc(info.status()));
      return;
    }
    if (recorder) recorder(dir, *info);
    response->set_backup_id(info->backup_id);
    response->set_size_bytes(info->size_bytes);
    response->set_files(info->files);
    response->set_last_commit_sequence(info->last_commit_sequence);
    response->set_audit_size(info->audit_size);
    reactor->Finish(grpc::Status::OK);
  }).detach();
  return reactor;
}

}  // namespace collectonce::registry
