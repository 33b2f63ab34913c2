// A replica group for end-to-end tests: three real etcd members (tests/etcd_cluster.h) and
// three registryd processes in the replicated mode, each on loopback ports fixed for the
// test's life (a replica restarted comes back at the same address, as a host would, so
// clients given the three addresses keep working). The group shares one person-index key and
// one audit signing key, kept outside the replicas' data directories so that a replica's
// directory can be wiped and the replica started again empty. Every wait is bounded.
#ifndef COLLECTONCE_TESTS_REPLICA_GROUP_H_
#define COLLECTONCE_TESTS_REPLICA_GROUP_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/daemon.h"
#include "tests/etcd_cluster.h"
#include "tests/tcp_proxy.h"

namespace collectonce::testing {

struct ReplicaGroupOptions {
  std::string dir;  // created if missing
  int replicas = 3;
  int etcd_members = 3;
  int lease_seconds = 5;  // registryd's default
  // Each replica reaches each etcd member through a TcpProxy of its own, so that the test
  // can cut one replica off from etcd (Partition) while it still answers its callers.
  bool etcd_through_proxies = true;
  std::vector<std::string> extra_args;
};

class ReplicaGroup {
 public:
  // Starts etcd, then replica 0 (which creates the group's keys), then the others, and waits
  // until one of them leads.
  static absl::StatusOr<std::unique_ptr<ReplicaGroup>> Start(ReplicaGroupOptions options);
  ~ReplicaGroup();

  EtcdCluster& etcd() { return *etcd_; }
  const ReplicaGroupOptions& options() const { return options_; }
  int size() const { return static_cast<int>(replicas_.size()); }
  const std::string& address(int i) const { return replicas_[i].grpc; }
  const std::string& admin_address(int i) const { return replicas_[i].admin; }
  std::vector<std::string> addresses() const;
  std::string data_dir(int i) const;
  bool running(int i) const { return replicas_[i].daemon != nullptr; }
  pid_t pid(int i) const;
  std::string replica_id(int i) const;

  // SIGKILL, and wait for the exit.
  absl::Status Kill(int i);
  // SIGSTOP / SIGCONT.
  absl::Status Pause(int i);
  absl::Status Resume(int i);
  // Starts a stopped replica again on its data directory, at its addresses.
  absl::Status Restart(int i);
  // Kills replica i if it runs and deletes its data directory (its keys are the group's,
  // kept elsewhere).
  absl::Status Wipe(int i);

  // Replica i can no longer reach any etcd member (and nothing reaches it from there); its
  // callers still reach it. Heal: reachable again.
  void Partition(int i);
  void Heal(int i);

  // collectonce_* samples of a replica's /metrics (name with labels → value).
  absl::StatusOr<std::map<std::string, double>> Metrics(int i) const;
  // The replica that says it leads, once exactly one running replica does.
  absl::StatusOr<int> Leader(absl::Duration timeout = absl::Seconds(20)) const;
  // Until every running replica has applied the group's whole log (equal applied index,
  // equal to the leader's committed index) and a leader leads.
  absl::Status WaitConverged(absl::Duration timeout = absl::Seconds(30)) const;

  // The last lines of every replica's and etcd member's log, for a failure message.
  std::string LogTails(int lines = 30) const;

 private:
  struct Replica {
    std::string id;
    std::string grpc, admin;  // fixed host:port
    std::unique_ptr<Daemon> daemon;
    int starts = 0;
    std::vector<std::unique_ptr<TcpProxy>> etcd_proxies;  // one per member
  };
  explicit ReplicaGroup(ReplicaGroupOptions options) : options_(std::move(options)) {}
  absl::Status Launch(int i);
  std::string EtcdEndpoints(const Replica& r) const;

  ReplicaGroupOptions options_;
  std::unique_ptr<EtcdCluster> etcd_;
  std::vector<Replica> replicas_;
};

}  // namespace collectonce::testing

#endif  // COLLECTONCE_TESTS_REPLICA_GROUP_H_
