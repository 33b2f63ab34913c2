// Leader election through etcd. A candidate puts PREFIX/leader, if no one holds it, under a
// lease of a few seconds that it keeps renewing; the key's create revision is the leader's
// *epoch*, different for every term, and every append to the commit log is one etcd Txn that
// compares it (libs/replication/etcd_log.h), so a deposed leader cannot append: the fencing
// lives in etcd's state machine, not in our clocks.
//
// Our clock only decides when this replica stops *acting* as leader (acknowledging writes,
// serving current reads): at the moment its lease may have expired, measured conservatively.
// Each renewal's TTL counts from when etcd handled it, which is after the moment this
// replica noted before sending it; the replica takes the lease as valid until that noted
// moment + TTL - margin, on the monotonic clock (which keeps running while the process is
// stopped, so a replica woken from SIGSTOP knows its lease is gone).
#ifndef COLLECTONCE_LIBS_REPLICATION_ELECTION_H_
#define COLLECTONCE_LIBS_REPLICATION_ELECTION_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/etcd/client.h"
#include "libs/replication/layout.h"

namespace collectonce::replication {

using SteadyTime = std::chrono::steady_clock::time_point;

// Who leads, as far as this replica knows. epoch 0: nobody (or not known yet).
struct LeaderInfo {
  std::string replica_id;
  std::string address;
  int64_t epoch = 0;
};

struct ElectionOptions {
  std::string replica_id;
  // host:port that callers are sent to when this replica leads.
  std::string address;
  absl::Duration lease_ttl = absl::Seconds(5);
  // Taken off every renewal's TTL: scheduling delays between checking the lease and acting
  // on it, and clock-rate differences between hosts.
  absl::Duration lease_margin = absl::Milliseconds(500);
  // False: follow only, never campaign (a replica being drained or recovered).
  bool campaign = true;
};

class Election {
 public:
  // Called on the election's thread, in order, each time what this replica knows changes:
  // it became leader (leader.replica_id == own id, with its epoch), stopped being leader,
  // or learned of another leader or of none. Must not block for long (the lease is renewed
  // on the same thread).
  using Listener = std::function<void(const LeaderInfo& leader, bool self)>;

  Election(etcd::Client* client, Layout layout, ElectionOptions options);
  // Stops; resigns first if leading (bounded by the client's call timeout).
  ~Election();

  void Start(Listener listener);

  // Whether this replica may act as leader at this moment: it holds the leader key and its
  // lease has certainly not expired. `epoch` gets the epoch it leads in.
  bool Leading(int64_t* epoch = nullptr) const;
  // Until when the lease certainly holds (the distant past when not leading).
  SteadyTime lease_valid_until() const;
  LeaderInfo leader() const;

  // Gives up leadership now (deletes the key if it is still ours and revokes the lease),
  // then campaigns again after `pause` (absl::InfiniteDuration(): never).
  void Resign(absl::Duration pause = absl::Seconds(1));

 private:
  void Run();
  // Tries once to take the key; true if this replica now leads.
  bool Campaign();
  // Renews the lease until it is lost or the election stops.
  void Lead(int64_t lease, int64_t epoch, SteadyTime valid_until);
  // Waits until the leader key changes from `revision` on (or a timeout, or stop).
  void Follow(int64_t revision);
  void Publish(LeaderInfo leader, bool self);
  bool Stopping();
  // Sleeps up to `d`, waking early when stopping or resigning.
  void Nap(absl::Duration d);

  etcd::Client* const client_;
  const Layout layout_;
  const ElectionOptions options_;
  Listener listener_;
  std::thread thread_;

  mutable absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool resign_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration resign_pause_ ABSL_GUARDED_BY(mu_);
  LeaderInfo leader_ ABSL_GUARDED_BY(mu_);
  bool self_ ABSL_GUARDED_BY(mu_) = false;
  SteadyTime valid_until_ ABSL_GUARDED_BY(mu_);
};

}  // namespace collectonce::replication

#endif  // COLLECTONCE_LIBS_REPLICATION_ELECTION_H_
