// The leader's side of the commit log for one epoch: appends the store's entries to the etcd
// log (etcd_log.h), fenced by the epoch it won in the election. Made by the replica
// controller each time this replica starts leading, dropped when it stops.
//
// Before each append it checks that the election still says this replica leads in this
// epoch with its lease certainly valid; if not, ABORTED without sending anything, so that a
// leader whose lease ran out (stopped, partitioned, starved) acknowledges nothing more even
// before etcd tells it so. etcd's Txn compare is what makes it safe; the check is what makes
// it prompt.
//
// The first append of the epoch does not require the previous entry (the log may be empty,
// or start after a restore); every later one does, so no gap can appear.
//
// Results, as LogAppender promises (replicated_store.h):
//   OK           durable on etcd's quorum.
//   ABORTED      (LOG_FENCED) the epoch no longer leads, the lease may have run out, or the
//                index is taken. Never appended.
//   UNKNOWN      (LOG_OUTCOME_UNKNOWN) sent, and no answer before the deadline; or
//                (LOG_LEASE_EXPIRED) appended, but the lease may have run out before the
//                answer came: durable, yet not to be acknowledged by this replica.
//   UNAVAILABLE  (LOG_UNAVAILABLE, or etcd's reason) not appended.
// Called by one thread at a time (the store's writer).
#ifndef COLLECTONCE_LIBS_REPLICATION_ETCD_COMMIT_LOG_H_
#define COLLECTONCE_LIBS_REPLICATION_ETCD_COMMIT_LOG_H_

#include <atomic>
#include <cstdint>
#include <functional>

#include "absl/time/time.h"
#include "libs/replication/etcd_log.h"
#include "libs/replication/replicated_store.h"

namespace collectonce::replication {

class EtcdCommitLog final : public LogAppender {
 public:
  // Whether this replica may still act as leader of `epoch` now (Election::Leading).
  using StillLeading = std::function<bool(int64_t epoch)>;
  // Called after each append with its outcome and how long it took (metrics).
  using Observer = std::function<void(absl::StatusCode code, absl::Duration took)>;

  EtcdCommitLog(EtcdLog* log, int64_t epoch, StillLeading still_leading,
                absl::Duration append_timeout = absl::Seconds(3));

  [[nodiscard]] absl::Status Append(uint64_t index, absl::string_view bytes) override;

  void set_observer(Observer observer) { observer_ = std::move(observer); }
  int64_t epoch() const { return epoch_; }
  // The last index appended in this epoch (0: none yet).
  uint64_t last_appended() const { return last_appended_.load(); }

 private:
  absl::Status AppendOnce(uint64_t index, absl::string_view bytes);

  EtcdLog* const log_;
  const int64_t epoch_;
  const StillLeading still_leading_;
  const absl::Duration append_timeout_;
  Observer observer_;
  bool appended_any_ = false;
  std::atomic<uint64_t> last_appended_{0};
};

}  // namespace collectonce::replication

#endif  // COLLECTONCE_LIBS_REPLICATION_ETCD_COMMIT_LOG_H_
