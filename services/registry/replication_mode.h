// registryd's replicated mode (--replication etcd): the etcd client, the replica controller
// that decides whether this replica's store follows or leads, the leader hint that refusals
// carry, and the replication figures on /metrics. docs/replication.md tells the whole story.
#ifndef COLLECTONCE_SERVICES_REGISTRY_REPLICATION_MODE_H_
#define COLLECTONCE_SERVICES_REGISTRY_REPLICATION_MODE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/etcd/client.h"
#include "libs/replication/replica_controller.h"
#include "libs/replication/replicated_store.h"
#include "libs/rpc/leader_hint.h"
#include "libs/rpc/metrics.h"
#include "libs/store/store.h"

namespace collectonce::registry {

struct ReplicationFlags {
  // "none" (one registryd, the default) or "etcd".
  std::string mode = "none";
  // host:port of each etcd member's client URL, comma-separated.
  std::string etcd_endpoints;
  // This replica's stable name in the group (registry-0, ...): its key in etcd.
  std::string replica_id;
  // host:port that callers are sent to while this replica leads (default: the address the
  // server bound, when --listen is not a wildcard).
  std::string advertise_address;
  // The group's keys in etcd (docs/storage.md, "In etcd").
  std::string etcd_prefix = "/collectonce/registry";
  int lease_seconds = 5;
  // TLS towards etcd (all empty: plaintext).
  std::string etcd_ca;
  std::string etcd_cert;
  std::string etcd_key;
  // Follow only: never lead (a replica being drained, or checked after a restore).
  bool no_campaign = false;
  int trim_interval_seconds = 30;
  // Trim what every replica applied even without a verified backup covering it (a wiped
  // replica then needs a backup taken after the trim).
  bool trim_without_backup = false;
};

// The flags as they must be for the mode they name; INVALID_ARGUMENT with a message for the
// operator.
[[nodiscard]] absl::Status CheckReplicationFlags(ReplicationFlags* flags,
                                                 const std::string& listen);

class ReplicationMode {
 public:
  // Connects to etcd (lazily), starts the controller on `store` (which must have been opened
  // following, and outlive this object). flags.advertise_address is set.
  [[nodiscard]] static absl::StatusOr<std::unique_ptr<ReplicationMode>> Start(
      const ReplicationFlags& flags, replication::ReplicatedStore* store);
  // Stops the controller (resigning if it leads); the store is left following.
  ~ReplicationMode();

  replication::ReplicaController& controller() { return *controller_; }
  // Records a verified backup of this replica as the group's backup mark (PREFIX/backup):
  // the leader trims the log only below what the mark covers. Best effort (logged by the
  // caller's metrics, not failed): a missing mark only keeps more of the log.
  void RecordBackup(const std::string& directory, const store::BackupInfo& info);
  // The leader as this replica knows it, for NOT_LEADER refusals.
  rpc::LeaderHint Hint() const;
  // Whether this replica leads now with its lease certainly valid.
  bool Leading() const { return controller_->Leading(); }
  // collectonce_replication_* gauges (role, epoch, applied and committed index, lag, log size)
  // on `metrics`; etcd call counts and latency are in etcd_calls().
  void AddMetrics(rpc::RpcMetrics* metrics);
  const rpc::RpcMetrics& etcd_calls() const { return *etcd_calls_; }

 private:
  ReplicationMode() = default;
  std::unique_ptr<rpc::RpcMetrics> etcd_calls_;
  std::unique_ptr<etcd::Client> client_;
  std::unique_ptr<replication::ReplicaController> controller_;
  std::string replica_id_;
  std::string prefix_;
};

}  // namespace collectonce::registry

#endif  // COLLECTONCE_SERVICES_REGISTRY_REPLICATION_MODE_H_
