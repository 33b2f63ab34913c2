// What the registry's handlers share: the store, the access policy built from the stored
// principals and matters, and how a call's caller is resolved to a principal.
#ifndef COLLECTONCE_SERVICES_REGISTRY_REGISTRY_CONTEXT_H_
#define COLLECTONCE_SERVICES_REGISTRY_REGISTRY_CONTEXT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "collectonce/registry/v1/evidence.pb.h"
#include "grpcpp/server_context.h"
#include "libs/authz/policy.h"
#include "libs/base/clock.h"
#include "libs/rpc/admission.h"
#include "libs/store/store.h"
#include "services/registry/page_token.h"

namespace collectonce::registry {

// The caller of one RPC after authentication.
struct Caller {
  // The principal whose grants apply (the end caller when a gateway calls for one).
  v1::Principal principal;
  // The gateway's principal name when the call came through one; when a gateway forwarded
  // what another system asked for the principal (the console for a staff member), both,
  // comma-separated, that system first: "principals/console,principals/reuse-gateway".
  std::string via;
  std::shared_ptr<const authz::Policy> policy;
};

class RegistryContext {
 public:
  RegistryContext(store::Store* store, bool insecure, std::string bootstrap_governance);

  store::Store* store() const { return store_; }

  // Rebuilds the policy from the stored principals and matters.
  // const: the policy is a cache of what the store holds (Resolve refreshes it for a caller
  // that names a newer commit sequence).
  // The stored evidence types are read with it.
  [[nodiscard]] absl::Status ReloadPolicy() const;
  std::shared_ptr<const authz::Policy> policy() const;
  // The evidence types as of the last ReloadPolicy, by name.
  using EvidenceTypes = absl::flat_hash_map<std::string, v1::EvidenceType>;
  std::shared_ptr<const EvidenceTypes> evidence_types() const;

  // Bounds the calls in progress (Resolve refuses past the limit); null: no bound. Set
  // before serving.
  void set_admission(const rpc::Admission* admission) { admission_ = admission; }
  // Page tokens are sealed under this key (at least 16 bytes); until it is set, under a
  // random one. Set before serving.
  void set_page_token_key(std::string key) { page_tokens_ = PageTokens(std::move(key)); }
  const PageTokens& page_tokens() const { return page_tokens_; }

  // The registry's clock and the city's zone ("today" for ID numbers and checks of dates,
  // the time of signed heads); the system clock in the default zone until set. Set before
  // serving.
  void set_clock(Clock clock) { clock_ = std::move(clock); }
  const Clock& clock() const { return clock_; }

  // The store's directory, which backups may not be written into. Set before serving.
  void set_data_dir(std::string dir) { data_dir_ = std::move(dir); }
  const std::string& data_dir() const { return data_dir_; }

  // Replicated mode: whether this replica leads now with a valid lease. Unset (one
  // registryd): it always does. Set before serving.
  void set_leading(std::function<bool()> leading) { leading_ = std::move(leading); }
  bool leading() const { return !leading_ || leading_(); }
  // Replicated mode: told of every verified backup this replica made (so that the log may be
  // trimmed down to it). Set before serving.
  using BackupRecorder =
      std::function<void(const std::string& directory, const store::BackupInfo&)>;
  void set_backup_recorder(BackupRecorder r) { backup_recorder_ = std::move(r); }
  const BackupRecorder& backup_recorder() const { return backup_recorder_; }
  // Whether this replica may answer a read as of `as_of`: always on the leader; on a
  // follower, reads by revision and by a commit time it has applied (what cannot go stale),
  // else FAILED_PRECONDITION, reason NOT_LEADER (the leader's address is added on the way
  // out, libs/rpc/leader_hint.h).
  [[nodiscard]] absl::Status ServesRead(const store::AsOf& as_of) const;
  // A read by revision that found nothing, on a follower: the revision may exist on the
  // leader, not applied here yet (NOT_LEADER); `status` unchanged otherwise.
  [[nodiscard]] absl::Status FollowerMiss(absl::Status status, const store::AsOf& as_of) const;

  // Read-your-writes on a follower: a call may carry the commit sequence of a write it made
  // (header collectonce-min-commit-sequence, from the write's reply); it is answered once
  // this replica has applied that sequence, waiting for it at most kMaxSequenceWait (and
  // never past the call's deadline), else refused with UNAVAILABLE, reason REPLICA_BEHIND,
  // which clients send to another replica. Always at once on the leader, which has applied
  // every write it acknowledged. The access policy is then read again if it is older than
  // that sequence (a governance change the caller made is in force for its next call).
  static constexpr absl::Duration kMaxSequenceWait = absl::Seconds(1);
  [[nodiscard]] absl::Status WaitForCommitSequence(int64_t sequence, absl::Time deadline) const;

  // RESOURCE_EXHAUSTED (OVERLOADED) when the server is at its limit of calls. Authenticates
  // the call and finds its principal. UNAUTHENTICATED without an identity;
  // PERMISSION_DENIED for an unknown identity or x-on-behalf-of from a non-gateway. Then
  // waits for the call's minimum commit sequence, if it gives one (WaitForCommitSequence).
  [[nodiscard]] absl::StatusOr<Caller> Resolve(const grpc::ServerContextBase& ctx) const;

 private:
  store::Store* store_;
  bool insecure_;
  std::string bootstrap_governance_;
  const rpc::Admission* admission_ = nullptr;
  std::function<bool()> leading_;
  BackupRecorder backup_recorder_;
  std::string data_dir_;
  Clock clock_;
  PageTokens page_tokens_ = PageTokens::WithRandomKey();
  mutable absl::Mutex mu_;
  mutable std::shared_ptr<const authz::Policy> policy_ ABSL_GUARDED_BY(mu_);
  mutable std::shared_ptr<const EvidenceTypes> evidence_types_ ABSL_GUARDED_BY(mu_);
  // The store's commit sequence that policy_ was read at (at least).
  mutable int64_t policy_sequence_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_REGISTRY_CONTEXT_H_
