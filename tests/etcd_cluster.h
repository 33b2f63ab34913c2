// Real etcd members (/usr/bin/etcd, Debian's etcd-server) for tests: one or three, on free
// loopback ports (never etcd's default 2379/2380, where a packaged etcd may run), each with
// its own data directory under the test's. Members can be killed, stopped, continued and
// restarted one by one; every wait is bounded. The destructor kills every member and keeps
// their logs with the test's output (tests/daemon.h: KeepTestOutput).
#ifndef COLLECTONCE_TESTS_ETCD_CLUSTER_H_
#define COLLECTONCE_TESTS_ETCD_CLUSTER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace collectonce::testing {

struct EtcdClusterOptions {
  int members = 3;
  // Created if missing; each member gets DIR/<name> for data and DIR/<name>.log.
  std::string dir;
  std::string etcd_binary = "/usr/bin/etcd";
  // etcd's raft timing (its defaults).
  int heartbeat_ms = 100;
  int election_ms = 1000;
  absl::Duration start_timeout = absl::Seconds(30);
};

class EtcdCluster {
 public:
  // Starts the members and waits until each of them knows the same leader. Tries fresh
  // ports again if a port was taken meanwhile.
  static absl::StatusOr<std::unique_ptr<EtcdCluster>> Start(EtcdClusterOptions options);
  ~EtcdCluster();

  int size() const { return static_cast<int>(members_.size()); }
  // host:port of every member's client URL, or of one.
  std::vector<std::string> endpoints() const;
  const std::string& endpoint(int i) const { return members_[i].client; }
  std::string name(int i) const { return members_[i].name; }
  bool running(int i) const { return members_[i].pid > 0; }
  pid_t pid(int i) const { return members_[i].pid; }

  // SIGKILL, and wait for the exit.
  absl::Status Kill(int i);
  // SIGSTOP / SIGCONT: a member that is alive but does not answer.
  absl::Status Pause(int i);
  absl::Status Resume(int i);
  // Starts a killed member again on its data directory and waits until it has a leader.
  absl::Status Restart(int i, absl::Duration timeout = absl::Seconds(30));

  // The index of the member that is leader, as the running members say, once they agree
  // (bounded wait).
  absl::StatusOr<int> Leader(absl::Duration timeout = absl::Seconds(20)) const;
  // Until every running, unpaused member knows a leader.
  absl::Status WaitHealthy(absl::Duration timeout = absl::Seconds(20)) const;

  std::string Log(int i) const;
  // The last lines of every member's log, for a failure message.
  std::string LogTails(int lines = 20) const;

 private:
  struct MemberProcess {
    std::string name;
    std::string client;  // host:port
    std::string peer;    // host:port
    std::string data_dir;
    std::string log_path;
    pid_t pid = -1;
    bool paused = false;
  };
  explicit EtcdCluster(EtcdClusterOptions options) : options_(std::move(options)) {}
  absl::Status Launch(int i, bool first_start);
  absl::Status StartAll();
  void KillAll();

  EtcdClusterOptions options_;
  std::string token_;
  std::vector<MemberProcess> members_;
};

// A loopback TCP port that was free a moment ago.
absl::StatusOr<int> FreeLoopbackPort();

}  // namespace collectonce::testing

#endif  // COLLECTONCE_TESTS_ETCD_CLUSTER_H_
