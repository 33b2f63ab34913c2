// A TCP forwarder on loopback for fault tests: what a network between two processes would
// do, put where the test controls it. Forwarding passes bytes both ways; Partition() makes
// it a black hole (connections stay open, nothing gets through either way, new connections
// are accepted and never answered), as a network that drops packets does; Heal() resets the
// connections cut off meanwhile (as TCP would give up on them) and forwards again.
//
// One thread per proxy (poll over every connection). Thread-safe.
#ifndef COLLECTONCE_TESTS_TCP_PROXY_H_
#define COLLECTONCE_TESTS_TCP_PROXY_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"

namespace collectonce::testing {

class TcpProxy {
 public:
  // Listens on a free loopback port and forwards to `target` (host:port).
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(const std::string& target);
  ~TcpProxy();

  // host:port to connect to instead of the target.
  std::string address() const;
  void Partition();
  void Heal();

 private:
  TcpProxy() = default;
  void Loop();

  std::string target_host_;
  int target_port_ = 0;
  int listen_fd_ = -1;
  int port_ = 0;
  int wake_[2] = {-1, -1};  // a pipe: wakes the loop for a mode change or stop
  std::atomic<bool> partitioned_{false};
  std::atomic<int> heals_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace collectonce::testing

#endif  // COLLECTONCE_TESTS_TCP_PROXY_H_
