// One replica of the replicated registry: owns the election and decides the store's role.
//
//   following  reads the log from the store's applied index on, applies each entry, then
//              watches the log prefix from the revision of that read; reads again after a
//              compacted watch or a gap. Writes are refused by the store (NOT_LEADER).
//   leading    on winning the election, reads the log to its end (the previous leader can
//              append nothing once this replica's leader key exists) and applies it, then
//              lets the store lead with an EtcdCommitLog fenced by the new epoch. On losing
//              the lease, or when the store steps down (an append fenced or of unknown
//              outcome), back to following.
//
// Every value a change depends on is decided by the leader's store before it appends the
// entry (replicated_store.h); followers apply bytes and never re-execute a write.
//
// Beside that, every replica reports what it has applied (PREFIX/replicas/<id>,
// ReplicaRecord), and the leader trims the entries every reporting replica has applied (and,
// when trimming waits for backups, that the newest verified backup covers), then compacts
// etcd's history behind the previous trim.
//
// Thread-safe. Runs on its own threads (the election's, one that applies or leads, one that
// reports and trims); the store must outlive the controller.
#ifndef COLLECTONCE_LIBS_REPLICATION_REPLICA_CONTROLLER_H_
#define COLLECTONCE_LIBS_REPLICATION_REPLICA_CONTROLLER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/etcd/client.h"
#include "libs/replication/election.h"
#include "libs/replication/etcd_commit_log.h"
#include "libs/replication/etcd_log.h"
#include "libs/replication/layout.h"
#include "libs/replication/replicated_store.h"

namespace collectonce::replication {

struct ReplicaControllerOptions {
  // replica_id, the address callers are sent to, the lease, whether to campaign.
  ElectionOptions election;
  // One append's whole time, retries included; past it the outcome is UNKNOWN.
  absl::Duration append_timeout = absl::Seconds(3);
  // How often this replica reports its applied index (and the log's bounds are read).
  absl::Duration report_interval = absl::Seconds(1);
  // How often the leader trims the log; zero: never.
  absl::Duration trim_interval = absl::Seconds(30);
  // Trim only what the newest verified backup (PREFIX/backup) covers, so that a wiped
  // replica can always restore that backup and follow the log from there.
  bool trim_requires_backup = true;
  // Entries per read while catching up.
  int read_batch = 256;
};

enum class Role {
  kFollowing = 0,
  kLeading = 1,
};

// What the controller knows, for metrics, health and `registryctl cluster status`.
struct ReplicaStatus {
  Role role = Role::kFollowing;
  // The leader as this replica knows it (epoch 0: none known).
  LeaderInfo leader;
  // This replica's epoch while it leads, else 0.
  int64_t epoch = 0;
  uint64_t applied_index = 0;
  // The highest index this replica knows to be in the log.
  uint64_t committed_index = 0;
  // The log's bounds at the last report ({0, 0}: empty or not read yet).
  uint64_t log_first_index = 0;
  uint64_t log_last_index = 0;
  // Why the last apply, read or lead failed (OK: the last one worked).
  absl::Status last_error;
  // Entries applied from the log, watches (re)started, log reads, terms led.
  int64_t entries_applied = 0;
  int64_t watches_started = 0;
  int64_t log_reads = 0;
  int64_t terms_led = 0;
  int64_t entries_trimmed = 0;

  uint64_t lag() const {
    return committed_index > applied_index ? committed_index - applied_index : 0;
  }
};

class ReplicaController {
 public:
  ReplicaController(etcd::Client* client, Layout layout, ReplicatedStore* store,
                    ReplicaControllerOptions options);
  // Stop().
  ~ReplicaController();
  ReplicaController(const ReplicaController&) = delete;
  ReplicaController& operator=(const ReplicaController&) = delete;

  // Puts the store in the following role and starts the threads.
  void Start();
  // Stops the threads; resigns if leading. The store is left following.
  void Stop();

  ReplicaStatus status() const;
  // Whether the store leads now with a lease that certainly holds: current reads may be
  // served. (A store that leads without a valid lease appends nothing: its appends are
  // refused before they are sent.)
  bool Leading() const;
  LeaderInfo leader() const;

  // Outcome and time of every append (metrics). Set before Start.
  void set_append_observer(EtcdCommitLog::Observer observer) {
    append_observer_ = std::move(observer);
  }

 private:
  void Run();
  void Housekeep();
  // Sleeps up to `d`, waking early on news from the election, a step-down or Stop.
  void Nap(absl::Duration d);
  bool Stopping() const;

  // Following: one step (a read, or up to ~100 ms of watching).
  void FollowStep();
  // Reads the log from the store's applied index to its end, applying every entry, as long
  // as `keep_going` holds.
  absl::Status CatchUp(const std::function<bool()>& keep_going, bool then_watch);
  absl::Status Apply(const LogEntry& entry);
  void TakeLeadership(int64_t epoch);
  void StopLeading(const absl::Status& why);
  void OnStepDown(int64_t epoch, absl::Status why);

  void Report();
  void Trim();
  void NoteError(const absl::Status& s);

  etcd::Client* const client_;
  const Layout layout_;
  ReplicatedStore* const store_;
  const ReplicaControllerOptions options_;
  EtcdLog log_;
  std::unique_ptr<Election> election_;
  EtcdCommitLog::Observer append_observer_;

  // Run()'s own (no lock): the watch while following.
  std::unique_ptr<etcd::Watch> watch_;
  // Every commit log handed to the store: kept until the controller goes, since the store's
  // writer may still be inside Append when the controller takes the leadership back.
  std::vector<std::unique_ptr<EtcdCommitLog>> commit_logs_;
  // Housekeep()'s own: etcd's revision at the previous trim (compacted at the next).
  int64_t previous_trim_revision_ = 0;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool news_ ABSL_GUARDED_BY(mu_) = false;
  // Set by the store's step-down, taken by Run().
  bool stepped_down_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status step_down_why_ ABSL_GUARDED_BY(mu_);
  ReplicaStatus status_ ABSL_GUARDED_BY(mu_);
  std::atomic<bool> leading_{false};
  std::atomic<int64_t> leading_epoch_{0};

  std::thread runner_;
  std::thread housekeeper_;
};

}  // namespace collectonce::replication

#endif  // COLLECTONCE_LIBS_REPLICATION_REPLICA_CONTROLLER_H_
