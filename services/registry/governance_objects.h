// What the registry's governance handlers share: replying, role checks, names, and loading,
// listing and storing governance objects (matters, bundles, principals, evidence types) that
// the store keeps as versioned payloads. Header-only templates over the object's message.
#ifndef COLLECTONCE_SERVICES_REGISTRY_GOVERNANCE_OBJECTS_H_
#define COLLECTONCE_SERVICES_REGISTRY_GOVERNANCE_OBJECTS_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "libs/authz/validate.h"
#include "libs/base/error_reason.h"
#include "libs/catalog/timestamp.h"
#include "libs/rpc/errors.h"
#include "libs/rpc/reply.h"
#include "services/registry/limits.h"
#include "services/registry/page_token.h"
#include "services/registry/registry_context.h"

namespace collectonce::registry::governance {

using catalog::Violations;

using rpc::Reply;

inline absl::Status RequireRole(const Caller& caller, std::initializer_list<v1::Role> roles,
                                absl::string_view what) {
  for (v1::Role r : roles) {
    if (authz::Policy::HasRole(caller.principal, r)) return absl::OkStatus();
  }
  return WithReason(
      absl::PermissionDeniedError(absl::StrCat(caller.principal.name(), " may not ", what)),
      "ROLE_MAY_NOT_GOVERN");
}

// Output-only members are set by the registry, never taken from the caller.
template <typename T>
void ClearOutputOnly(T* m) {
  m->clear_version();
  m->clear_update_time();
  m->clear_etag();
}

template <typename T>
void FillOutputOnly(const store::StoredObject& o, T* m) {
  m->set_version(o.version);
  *m->mutable_update_time() = catalog::MicrosToTimestamp(o.update_time_us);
  m->set_etag(absl::StrCat(o.version));
}

// A name that cannot name anything of `type` is INVALID_ARGUMENT (AIP-122), not NOT_FOUND.
inline absl::Status CheckName(const std::string& name, const std::string& type, Violations* v) {
  if (authz::IsResourceName(name, type)) return absl::OkStatus();
  const std::string rule = absl::StrCat("a name is ", type, "/{id}: a-z, 0-9 and '-', at most 63");
  v->push_back({"name", "NAME", rule});
  return WithReason(absl::InvalidArgumentError(
                        absl::StrCat("'", name.substr(0, 128), "' is not a valid name: ", rule)),
                    "INVALID_NAME");
}

template <typename T>
absl::StatusOr<T> Load(store::Store* store, const std::string& type, const std::string& name) {
  auto o = store->GetObject(type, name);
  if (!o.ok()) return o.status();
  T m;
  if (!m.ParseFromString(o->payload))
    return absl::DataLossError(absl::StrCat(name, " is unreadable"));
  FillOutputOnly(*o, &m);
  return m;
}

template <typename T, typename Add>
absl::Status ListObjects(RegistryContext* ctx, const std::string& type, PageList list, int size,
                         const std::string& after, std::string* next_token, Add add) {
  store::Store* store = ctx->store();
  auto page = store->ListObjects(type, after, size + 1);
  if (!page.ok()) return page.status();
  for (int i = 0; i < static_cast<int>(page->size()) && i < size; ++i) {
    T m;
    if (!m.ParseFromString((*page)[i].payload)) return absl::DataLossError("unreadable object");
    FillOutputOnly((*page)[i], &m);
    add(std::move(m));
  }
  if (static_cast<int>(page->size()) > size) {
    *next_token = ctx->page_tokens().EncodeKey(list, (*page)[size - 1].name);
  }
  return absl::OkStatus();
}

// List pages: the token carries the last name of the previous page.
template <typename T, typename Add>
grpc::ServerUnaryReactor* ListPage(grpc::CallbackServerContext* context, RegistryContext* ctx,
                                   const std::string& type, PageList list, int32_t page_size,
                                   const std::string& token, std::string* next_token, Add add) {
  Violations v;
  auto size = PageSize(page_size, kDefaultPageSize, &v);
  if (!size.ok()) return Reply(context, size.status(), v);
  std::string after;
  if (!token.empty()) {
    auto decoded = ctx->page_tokens().DecodeKey(list, token);
    if (!decoded.ok()) return Reply(context, TokenRefused(decoded.status(), &v), v);
    after = *std::move(decoded);
  }
  return Reply(context, ListObjects<T>(ctx, type, list, *size, after, next_token, add));
}

// Stores a governance object; the reply waits for durability on the store's callback,
// not on a gRPC thread. Objects that feed the access policy reload it first.
template <typename T>
grpc::ServerUnaryReactor* StoreObject(grpc::CallbackServerContext* context, RegistryContext* ctx,
                                      const std::string& type, T object,
                                      const std::string& principal, bool reload_policy,
                                      T* response) {
  auto* reactor = context->DefaultReactor();
  const std::string name = object.name();
  std::string payload = object.SerializeAsString();
  ctx->store()->PutObjectAsync(
      type, name, std::move(payload), principal,
      [reactor, ctx, response, reload_policy,
       object = std::move(object)](absl::StatusOr<store::StoredObject> stored) mutable {
        if (!stored.ok()) {
          reactor->Finish(rpc::ToGrpc(stored.status()));
          return;
        }
        if (reload_policy) {
          // The object is durable either way. If the policy cannot be rebuilt from the
          // stored objects, the caller learns both facts; applying the same object again
          // (no new version) retries the reload.
          if (absl::Status s = ctx->ReloadPolicy(); !s.ok()) {
            reactor->Finish(rpc::ToGrpc(WithReason(
                absl::Status(
                    s.code(),
                    absl::StrCat(stored->name, " is stored as version ", stored->version,
                                 ", but the access policy could not be reloaded (", s.message(),
                                 "); the previous policy stays in force until a "
                                 "reload succeeds: apply it again")),
                "POLICY_RELOAD_FAILED")));
            return;
          }
        }
        FillOutputOnly(*stored, &object);
        *response = std::move(object);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

inline bool Exists(store::Store* store, const std::string& type, const std::string& name) {
  return store->GetObject(type, name).ok();
}

}  // namespace collectonce::registry::governance

#endif  // COLLECTONCE_SERVICES_REGISTRY_GOVERNANCE_OBJECTS_H_
