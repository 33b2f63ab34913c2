#include "services/registry/registry_context.h"

#include <algorithm>
#include <functional>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/base/error_reason.h"
#include "libs/base/status_macros.h"
#include "libs/rpc/caller.h"

namespace collectonce::registry {

RegistryContext::RegistryContext(store::Store* store, bool insecure,
                                 std::string bootstrap_governance)
    : store_(store), insecure_(insecure), bootstrap_governance_(std::move(bootstrap_governance)) {
  policy_ = authz::Policy::Build({}, {}, {}, bootstrap_governance_);
  evidence_types_ = std::make_shared<EvidenceTypes>();
}

namespace {

// Calls `add` for every stored object of `type`, in name order; stops at the first error
// `add` returns.
absl::Status ForEachObject(store::Store* store, const std::string& type,
                           const std::function<absl::Status(const store::StoredObject&)>& add) {
  std::string after;
  for (;;) {
    auto page = store->ListObjects(type, after, 500);
    if (!page.ok()) return page.status();
    for (const auto& o : *page) {
      if (absl::Status s = add(o); !s.ok()) return s;
      after = o.name;
    }
    if (page->size() < 500) return absl::OkStatus();
  }
}

// Appends each stored object of `type` to *out, with its stored version (kept beside the
// payload), which names the policy a read was decided under in its receipt.
template <typename T>
absl::Status ReadAll(store::Store* store, const std::string& type, std::vector<T>* out) {
  return ForEachObject(store, type, [&](const store::StoredObject& o) {
    if (!out->emplace_back().ParseFromString(o.payload)) {
      return absl::DataLossError(absl::StrCat("a stored ", type, " entry is unreadable"));
    }
    out->back().set_version(o.version);
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status RegistryContext::ReloadPolicy() const {
  // Everything committed up to here is in what is read below.
  const int64_t sequence = store_->Stats().last_commit_sequence;
  std::vector<v1::Principal> principals;
  std::vector<v1::Matter> matters;
  std::vector<v1::Bundle> bundles;
  std::vector<v1::EvidenceType> types;
  RETURN_IF_ERROR(ReadAll(store_, "principals", &principals));
  RETURN_IF_ERROR(ReadAll(store_, "matters", &matters));
  RETURN_IF_ERROR(ReadAll(store_, "bundles", &bundles));
  RETURN_IF_ERROR(ReadAll(store_, "evidence-types", &types));
  auto policy = authz::Policy::Build(principals, matters, bundles, bootstrap_governance_);
  auto by_name = std::make_shared<EvidenceTypes>();
  for (auto& t : types) {
    std::string name = t.name();
    by_name->emplace(std::move(name), std::move(t));
  }
  absl::MutexLock lock(&mu_);
  policy_ = std::move(policy);
  evidence_types_ = std::move(by_name);
  policy_sequence_ = std::max(policy_sequence_, sequence);
  return absl::OkStatus();
}

absl::Status RegistryContext::ServesRead(const store::AsOf& as_of) const {
  if (leading()) return absl::OkStatus();
  switch (as_of.kind) {
    case store::AsOf::Kind::kRevision:
      return absl::OkStatus();
    case store::AsOf::Kind::kCommitTime:
      if (as_of.commit_time_us <= store_->Stats().last_commit_time_us) return absl::OkStatus();
      return WithReason(absl::FailedPreconditionError(
                            "this replica follows and has not applied every commit up to that "
                            "time yet; ask the leader"),
                        "NOT_LEADER");
    default:
      return WithReason(absl::FailedPreconditionError(
                            "this replica follows: reads of the current record (and by valid "
                            "date) go to the leader; a follower serves reads by revision or "
                            "commit time"),
                        "NOT_LEADER");
  }
}

absl::Status RegistryContext::FollowerMiss(absl::Status status, const store::AsOf& as_of) const {
  if (status.code() != absl::StatusCode::kNotFound || as_of.kind != store::AsOf::Kind::kRevision ||
      leading()) {
    return status;
  }
  return WithReason(absl::FailedPreconditionError(
                        absl::StrCat("this replica follows and holds no revision ", as_of.revision,
                                     " of the record (yet); ask the leader")),
                    "NOT_LEADER");
}

absl::Status RegistryContext::WaitForCommitSequence(int64_t sequence, absl::Time deadline) const {
  const absl::Time until = std::min(deadline, absl::Now() + kMaxSequenceWait);
  int64_t applied = store_->Stats().last_commit_sequence;
  // The wait is short and rare (a follower a few entries behind the write it is asked
  // about): a poll keeps the store's interface as it is.
  while (applied < sequence && absl::Now() < until) {
    absl::SleepFor(absl::Milliseconds(2));
    applied = store_->Stats().last_commit_sequence;
  }
  if (applied >= sequence) return absl::OkStatus();
  return WithReason(absl::UnavailableError(
                        absl::StrCat("this replica has applied commits up to sequence ", applied,
                                     ", not yet ", sequence, "; try again or ask another replica")),
                    "REPLICA_BEHIND");
}

std::shared_ptr<const authz::Policy> RegistryContext::policy() const {
  absl::MutexLock lock(&mu_);
  return policy_;
}

std::shared_ptr<const RegistryContext::EvidenceTypes> RegistryContext::evidence_types() const {
  absl::MutexLock lock(&mu_);
  return evidence_types_;
}

absl::StatusOr<Caller> RegistryContext::Resolve(const grpc::ServerContextBase& ctx) const {
  // Every handler resolves its caller first, so this is where an overloaded server refuses.
  if (admission_ != nullptr) RETURN_IF_ERROR(admission_->Admit(ctx));
  auto id = rpc::IdentifyCaller(ctx, insecure_);
  if (!id.ok()) return id.status();
  if (auto it = ctx.client_metadata().find(rpc::kMinCommitSequenceHeader);
      it != ctx.client_metadata().end()) {
    int64_t sequence;
    if (!absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()), &sequence) ||
        sequence < 0) {
      return WithReason(absl::InvalidArgumentError(absl::StrCat(
                            rpc::kMinCommitSequenceHeader,
                            " must be a commit sequence from a write's reply (a number >= 0)")),
                        "INVALID_MIN_COMMIT_SEQUENCE");
    }
    RETURN_IF_ERROR(WaitForCommitSequence(sequence, absl::FromChrono(ctx.deadline())));
    // The caller may have changed governance objects at that sequence: a follower's policy
    // (reloaded in the background) must be as new as what the caller wrote.
    bool stale;
    {
      absl::MutexLock lock(&mu_);
      stale = policy_sequence_ < sequence;
    }
    if (stale) RETURN_IF_ERROR(ReloadPolicy());
  }
  Caller caller;
  caller.policy = policy();
  const v1::Principal* peer = caller.policy->FindIdentity(id->peer);
  if (peer == nullptr) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat("'", id->peer.substr(0, 128),
                                                               "' is not a registered principal")),
                      "UNKNOWN_PRINCIPAL");
  }
  if (id->on_behalf_of.empty()) {
    caller.principal = *peer;
    return caller;
  }
  if (!authz::Policy::HasRole(*peer, v1::GATEWAY)) {
    return WithReason(
        absl::PermissionDeniedError(absl::StrCat(peer->name(), " may not act on behalf of others")),
        "NOT_A_GATEWAY");
  }
  const v1::Principal* end = caller.policy->FindIdentity(id->on_behalf_of);
  if (end == nullptr) {
    return WithReason(absl::PermissionDeniedError(absl::StrCat("'", id->on_behalf_of.substr(0, 128),
                                                               "' is not a registered principal")),
                      "UNKNOWN_PRINCIPAL");
  }
  caller.principal = *end;
  caller.via = peer->name();
  if (!id->on_behalf_of_via.empty()) {
    // A gateway forwarding what another system (the console) asked for its own end caller:
    // that system must be one that may act for others, too. The access names both, the
    // system nearest the end caller first.
    const v1::Principal* asker = caller.policy->FindIdentity(id->on_behalf_of_via);
    if (asker == nullptr) {
      return WithReason(
          absl::PermissionDeniedError(absl::StrCat("'", id->on_behalf_of_via.substr(0, 128),
                                                   "' is not a registered principal")),
          "UNKNOWN_PRINCIPAL");
    }
    if (!authz::Policy::HasRole(*asker, v1::GATEWAY)) {
      return WithReason(absl::PermissionDeniedError(
                            absl::StrCat(asker->name(), " may not act on behalf of others")),
                        "NOT_A_GATEWAY");
    }
    caller.via = absl::StrCat(asker->name(), ",", peer->name());
  }
  return caller;
}

}  // namespace collectonce::registry
