#include "tests/etcd_cluster.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/etcd/client.h"
#include "tests/daemon.h"

namespace collectonce::testing {
namespace {

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<etcd::Client> ClientFor(const std::vector<std::string>& endpoints) {
  etcd::ClientOptions o;
  o.endpoints = endpoints;
  o.call_timeout = absl::Seconds(1);
  o.attempt_timeout = absl::Seconds(1);
  auto c = etcd::Client::Create(o);
  return c.ok() ? *std::move(c) : nullptr;
}

// The process state letter from /proc/PID/stat ('T' when stopped), or 0.
char ProcessState(pid_t pid) {
  std::string stat = ReadWholeFile(absl::StrCat("/proc/", pid, "/stat"));
  const size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : 0;
}

}  // namespace

absl::StatusOr<int> FreeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return absl::InternalError("bind to a loopback port failed");
  }
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

absl::StatusOr<std::unique_ptr<EtcdCluster>> EtcdCluster::Start(EtcdClusterOptions options) {
  if (options.members < 1 || options.dir.empty()) {
    return absl::InvalidArgumentError("an etcd cluster needs members and a directory");
  }
  std::filesystem::create_directories(options.dir);
  auto cluster = std::unique_ptr<EtcdCluster>(new EtcdCluster(std::move(options)));
  absl::Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = cluster->StartAll();
    if (last.ok()) return cluster;
    // A port taken between choosing it and etcd binding it: start afresh on new ones.
    cluster->KillAll();
    for (const auto& m : cluster->members_) std::filesystem::remove_all(m.data_dir);
    if (!absl::StrContains(last.message(), "address already in use")) break;
  }
  return last;
}

absl::Status EtcdCluster::StartAll() {
  static int clusters_started = 0;
  token_ = absl::StrCat("collectonce-test-", getpid(), "-", ++clusters_started);
  members_.clear();
  for (int i = 0; i < options_.members; ++i) {
    auto client = FreeLoopbackPort();
    auto peer = FreeLoopbackPort();
    if (!client.ok()) return client.status();
    if (!peer.ok()) return peer.status();
    MemberProcess m;
    m.name = absl::StrCat("etcd", i);
    m.client = absl::StrCat("127.0.0.1:", *client);
    m.peer = absl::StrCat("127.0.0.1:", *peer);
    m.data_dir = absl::StrCat(options_.dir, "/", m.name);
    m.log_path = absl::StrCat(options_.dir, "/", m.name, ".log");
    members_.push_back(std::move(m));
  }
  for (int i = 0; i < size(); ++i) {
    if (auto s = Launch(i, true); !s.ok()) return s;
  }
  if (auto s = WaitHealthy(options_.start_timeout); !s.ok()) {
    for (const auto& m : members_) {
      const std::string log = ReadWholeFile(m.log_path);
      if (absl::StrContains(log, "address already in use")) {
        return absl::UnavailableError("address already in use");
      }
    }
    return s;
  }
  return absl::OkStatus();
}

absl::Status EtcdCluster::Launch(int i, bool first_start) {
  MemberProcess& m = members_[i];
  std::vector<std::string> initial;
  for (const auto& x : members_) initial.push_back(absl::StrCat(x.name, "=http://", x.peer));
  std::vector<std::string> args = {
      options_.etcd_binary,
      "--name",
      m.name,
      "--data-dir",
      m.data_dir,
      "--listen-client-urls",
      absl::StrCat("http://", m.client),
      "--advertise-client-urls",
      absl::StrCat("http://", m.client),
      "--listen-peer-urls",
      absl::StrCat("http://", m.peer),
      "--initial-advertise-peer-urls",
      absl::StrCat("http://", m.peer),
      "--initial-cluster",
      absl::StrJoin(initial, ","),
      "--initial-cluster-state",
      "new",
      "--initial-cluster-token",
      token_,
      "--heartbeat-interval",
      absl::StrCat(options_.heartbeat_ms),
      "--election-timeout",
      absl::StrCat(options_.election_ms),
      "--logger",
      "zap",
      "--log-outputs",
      "stderr",
  };
  if (first_start) std::ofstream(m.log_path, std::ios::trunc).close();
  m.pid = SpawnProcess(options_.etcd_binary, std::move(args), m.log_path);
  m.paused = false;
  if (m.pid < 0) return absl::InternalError("fork failed");
  return absl::OkStatus();
}

EtcdCluster::~EtcdCluster() {
  KillAll();
  for (const auto& m : members_) {
    KeepTestOutput(
        absl::StrCat(std::filesystem::path(options_.dir).filename().string(), "-", m.name, ".log"),
        ReadWholeFile(m.log_path));
  }
}

void EtcdCluster::KillAll() {
  for (int i = 0; i < size(); ++i) {
    if (running(i)) Kill(i).IgnoreError();
  }
}

std::vector<std::string> EtcdCluster::endpoints() const {
  std::vector<std::string> out;
  for (const auto& m : members_) out.push_back(m.client);
  return out;
}

absl::Status EtcdCluster::Kill(int i) {
  MemberProcess& m = members_[i];
  if (m.pid <= 0) return absl::FailedPreconditionError(absl::StrCat(m.name, " is not running"));
  kill(m.pid, SIGKILL);
  waitpid(m.pid, nullptr, 0);  // SIGKILL ends a stopped process too
  m.pid = -1;
  m.paused = false;
  return absl::OkStatus();
}

absl::Status EtcdCluster::Pause(int i) {
  MemberProcess& m = members_[i];
  if (m.pid <= 0) return absl::FailedPreconditionError(absl::StrCat(m.name, " is not running"));
  kill(m.pid, SIGSTOP);
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (ProcessState(m.pid) != 'T') {
    if (absl::Now() > deadline) return absl::DeadlineExceededError("SIGSTOP took no effect");
    absl::SleepFor(absl::Milliseconds(5));
  }
  m.paused = true;
  return absl::OkStatus();
}

absl::Status EtcdCluster::Resume(int i) {
  MemberProcess& m = members_[i];
  if (m.pid <= 0) return absl::FailedPreconditionError(absl::StrCat(m.name, " is not running"));
  kill(m.pid, SIGCONT);
  m.paused = false;
  return absl::OkStatus();
}

absl::Status EtcdCluster::Restart(int i, absl::Duration timeout) {
  if (running(i)) return absl::FailedPreconditionError(absl::StrCat(name(i), " is running"));
  if (auto s = Launch(i, false); !s.ok()) return s;
  return WaitHealthy(timeout);
}

absl::Status EtcdCluster::WaitHealthy(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  auto client = ClientFor(endpoints());
  if (client == nullptr) return absl::InternalError("no etcd client");
  std::string last = "no member asked yet";
  for (;;) {
    bool all = true;
    for (int i = 0; i < size() && all; ++i) {
      if (!running(i) || members_[i].paused) continue;
      auto st = client->Status(endpoint(i), std::min(deadline, absl::Now() + absl::Seconds(1)));
      if (!st.ok()) {
        last = absl::StrCat(name(i), ": ", st.status().message());
        all = false;
      } else if (st->leader_id == 0) {
        last = absl::StrCat(name(i), " knows no leader");
        all = false;
      }
    }
    if (all) return absl::OkStatus();
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("etcd members not healthy in time (", last, ")\n", LogTails()));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
}

absl::StatusOr<int> EtcdCluster::Leader(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  auto client = ClientFor(endpoints());
  if (client == nullptr) return absl::InternalError("no etcd client");
  for (;;) {
    std::map<uint64_t, int> index_of;  // member id -> index
    std::map<uint64_t, int> votes;     // leader id -> members that say so
    int asked = 0;
    for (int i = 0; i < size(); ++i) {
      if (!running(i) || members_[i].paused) continue;
      ++asked;
      auto st = client->Status(endpoint(i), std::min(deadline, absl::Now() + absl::Seconds(1)));
      if (!st.ok()) continue;
      index_of[st->member_id] = i;
      if (st->leader_id != 0) ++votes[st->leader_id];
    }
    if (votes.size() == 1 && votes.begin()->second == asked &&
        index_of.count(votes.begin()->first) > 0) {
      return index_of[votes.begin()->first];
    }
    if (absl::Now() > deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("the etcd members did not agree on a leader in time\n", LogTails()));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
}

std::string EtcdCluster::Log(int i) const { return ReadWholeFile(members_[i].log_path); }

std::string EtcdCluster::LogTails(int lines) const {
  std::string out;
  for (int i = 0; i < size(); ++i) {
    std::vector<std::string> all = absl::StrSplit(Log(i), '\n');
    const size_t from = all.size() > static_cast<size_t>(lines) ? all.size() - lines : 0;
    absl::StrAppend(&out, "--- ", name(i), " (", endpoint(i), ")\n");
    for (size_t k = from; k < all.size(); ++k) absl::StrAppend(&out, all[k], "\n");
  }
  return out;
}

}  // namespace collectonce::testing
