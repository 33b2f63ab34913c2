#include "tests/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace collectonce::testing {
namespace {

// Writes all of `n` bytes (the peers read concurrently, so this finishes); false on error.
bool WriteAll(int fd, const char* data, size_t n) {
  while (n > 0) {
    const ssize_t w = send(fd, data, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    data += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Closes with a reset, as a peer that gave up on the connection.
void Reset(int fd) {
  if (fd < 0) return;
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TcpProxy>> TcpProxy::Start(const std::string& target) {
  std::unique_ptr<TcpProxy> p(new TcpProxy());
  const size_t colon = target.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(target.substr(colon + 1), &p->target_port_)) {
    return absl::InvalidArgumentError(absl::StrCat("not host:port: ", target));
  }
  p->target_host_ = target.substr(0, colon);
  p->listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (p->listen_fd_ < 0 || bind(p->listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      listen(p->listen_fd_, 64) != 0 ||
      getsockname(p->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      pipe(p->wake_) != 0) {
    return absl::InternalError(absl::StrCat("proxy: ", strerror(errno)));
  }
  p->port_ = ntohs(addr.sin_port);
  p->thread_ = std::thread([raw = p.get()] { raw->Loop(); });
  return p;
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  if (wake_[1] >= 0) (void)!write(wake_[1], "x", 1);
  if (thread_.joinable()) thread_.join();
  for (int fd : {listen_fd_, wake_[0], wake_[1]}) {
    if (fd >= 0) close(fd);
  }
}

std::string TcpProxy::address() const { return absl::StrCat("127.0.0.1:", port_); }

void TcpProxy::Partition() {
  partitioned_ = true;
  (void)!write(wake_[1], "p", 1);
}

void TcpProxy::Heal() {
  ++heals_;
  partitioned_ = false;
  (void)!write(wake_[1], "h", 1);
}

void TcpProxy::Loop() {
  struct Pair {
    int client = -1, upstream = -1;
    bool cut = false;  // caught in a partition: reset at the heal
  };
  std::vector<Pair> pairs;
  int heals_seen = heals_.load();
  auto close_pair = [](Pair& p) {
    Reset(p.client);
    Reset(p.upstream);
    p.client = p.upstream = -1;
  };
  while (!stopping_.load()) {
    const bool partitioned = partitioned_.load();
    if (heals_.load() != heals_seen) {
      heals_seen = heals_.load();
      for (Pair& p : pairs) {
        if (p.cut) close_pair(p);
      }
    }
    if (partitioned) {
      for (Pair& p : pairs) p.cut = true;
    }
    pairs.erase(
        std::remove_if(pairs.begin(), pairs.end(), [](const Pair& p) { return p.client < 0; }),
        pairs.end());
    std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    if (!partitioned) {
      for (const Pair& p : pairs) {
        fds.push_back({p.client, POLLIN, 0});
        fds.push_back({p.upstream, POLLIN, 0});
      }
    }
    if (poll(fds.data(), fds.size(), 1000) < 0) continue;
    if (fds[0].revents & POLLIN) {
      char buf[64];
      (void)!read(wake_[0], buf, sizeof buf);
      continue;  // the mode may have changed: look again before forwarding anything
    }
    if (fds[1].revents & POLLIN) {
      const int c = accept(listen_fd_, nullptr, nullptr);
      if (c >= 0) {
        Pair p;
        p.client = c;
        if (partitioned) {
          p.cut = true;  // accepted, never answered
        } else {
          p.upstream = socket(AF_INET, SOCK_STREAM, 0);
          sockaddr_in to{};
          to.sin_family = AF_INET;
          to.sin_port = htons(static_cast<uint16_t>(target_port_));
          inet_pton(AF_INET, target_host_.c_str(), &to.sin_addr);
          if (connect(p.upstream, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
            close_pair(p);  // the target is down: the caller sees a reset, as it would
          } else {
            int one = 1;
            setsockopt(p.upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            setsockopt(p.client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          }
        }
        if (p.client >= 0) pairs.push_back(p);
      }
    }
    if (partitioned) continue;
    char buf[64 << 10];
    for (size_t i = 2; i + 1 < fds.size(); i += 2) {
      Pair& p = pairs[(i - 2) / 2];
      for (int side = 0; side < 2 && p.client >= 0; ++side) {
        const pollfd& f = fds[i + side];
        if ((f.revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        const int from = side == 0 ? p.client : p.upstream;
        const int to = side == 0 ? p.upstream : p.client;
        const ssize_t n = recv(from, buf, sizeof buf, 0);
        if (n <= 0 || !WriteAll(to, buf, static_cast<size_t>(n))) close_pair(p);
      }
    }
  }
  for (auto& p : pairs) close_pair(p);
}

}  // namespace collectonce::testing
