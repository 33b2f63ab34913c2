#include "tests/replica_group.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace collectonce::testing {
namespace {

std::string Tail(const std::string& text, int lines) {
  size_t pos = text.size();
  for (int n = 0; n <= lines && pos != std::string::npos && pos > 0; ++n) {
    pos = text.rfind('\n', pos - 1);
  }
  return pos == std::string::npos ? text : text.substr(pos + 1);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReplicaGroup>> ReplicaGroup::Start(ReplicaGroupOptions options) {
  std::unique_ptr<ReplicaGroup> g(new ReplicaGroup(std::move(options)));
  std::error_code ec;
  std::filesystem::create_directories(g->options_.dir + "/keys", ec);
  std::filesystem::create_directories(g->options_.dir + "/heads", ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot create ", g->options_.dir));
  EtcdClusterOptions eo;
  eo.members = g->options_.etcd_members;
  eo.dir = g->options_.dir + "/etcd";
  auto etcd = EtcdCluster::Start(eo);
  if (!etcd.ok()) return etcd.status();
  g->etcd_ = *std::move(etcd);
  for (int i = 0; i < g->options_.replicas; ++i) {
    Replica r;
    r.id = absl::StrCat("registry-", i);
    auto grpc_port = FreeLoopbackPort();
    auto admin_port = FreeLoopbackPort();
    if (!grpc_port.ok()) return grpc_port.status();
    if (!admin_port.ok()) return admin_port.status();
    r.grpc = absl::StrCat("127.0.0.1:", *grpc_port);
    r.admin = absl::StrCat("127.0.0.1:", *admin_port);
    if (g->options_.etcd_through_proxies) {
      for (const std::string& member : g->etcd_->endpoints()) {
        auto proxy = TcpProxy::Start(member);
        if (!proxy.ok()) return proxy.status();
        r.etcd_proxies.push_back(*std::move(proxy));
      }
    }
    g->replicas_.push_back(std::move(r));
  }
  // Replica 0 first: it creates the group's keys that the others load.
  for (int i = 0; i < g->size(); ++i) {
    if (auto s = g->Launch(i); !s.ok()) return s;
  }
  if (auto leader = g->Leader(absl::Seconds(30)); !leader.ok()) return leader.status();
  return g;
}

ReplicaGroup::~ReplicaGroup() {
  for (auto& r : replicas_) {
    if (r.daemon != nullptr) kill(r.daemon->pid(), SIGCONT);
    r.daemon.reset();  // kills and keeps the log
  }
}

std::vector<std::string> ReplicaGroup::addresses() const {
  std::vector<std::string> out;
  for (const auto& r : replicas_) out.push_back(r.grpc);
  return out;
}

std::string ReplicaGroup::data_dir(int i) const {
  return absl::StrCat(options_.dir, "/", replicas_[i].id);
}

pid_t ReplicaGroup::pid(int i) const {
  return replicas_[i].daemon == nullptr ? -1 : replicas_[i].daemon->pid();
}

std::string ReplicaGroup::replica_id(int i) const { return replicas_[i].id; }

std::string ReplicaGroup::EtcdEndpoints(const Replica& r) const {
  if (r.etcd_proxies.empty()) return absl::StrJoin(etcd_->endpoints(), ",");
  std::vector<std::string> out;
  for (const auto& p : r.etcd_proxies) out.push_back(p->address());
  return absl::StrJoin(out, ",");
}

void ReplicaGroup::Partition(int i) {
  for (auto& p : replicas_[i].etcd_proxies) p->Partition();
}

void ReplicaGroup::Heal(int i) {
  for (auto& p : replicas_[i].etcd_proxies) p->Heal();
}

absl::Status ReplicaGroup::Launch(int i) {
  Replica& r = replicas_[i];
  std::vector<std::string> args = {
      "--insecure",
      "--data-dir",
      data_dir(i),
      "--listen",
      r.grpc,
      "--admin-listen",
      r.admin,
      "--bootstrap-governance",
      "registryctl",
      "--index-key-file",
      options_.dir + "/keys/index.key",
      "--audit-key-file",
      options_.dir + "/keys/audit-signing.pem",
      "--published-head-file",
      absl::StrCat(options_.dir, "/heads/", r.id),
      "--replication",
      "etcd",
      "--etcd-endpoints",
      EtcdEndpoints(r),
      "--replica-id",
      r.id,
      "--lease-seconds",
      absl::StrCat(options_.lease_seconds),
  };
  args.insert(args.end(), options_.extra_args.begin(), options_.extra_args.end());
  const std::string log = absl::StrCat(options_.dir, "/", r.id, ".", r.starts++, ".log");
  auto d = Daemon::Start(REGISTRYD_BINARY, std::move(args), log, std::chrono::seconds(60));
  if (!d.ok()) return d.status();
  r.daemon = std::make_unique<Daemon>(*std::move(d));
  return absl::OkStatus();
}

absl::Status ReplicaGroup::Kill(int i) {
  Replica& r = replicas_[i];
  if (r.daemon == nullptr)
    return absl::FailedPreconditionError(absl::StrCat(r.id, " is not running"));
  kill(r.daemon->pid(), SIGCONT);  // a stopped process dies as well, but say it plainly
  auto st = r.daemon->Stop(SIGKILL);
  if (!st.ok()) return st.status();
  r.daemon.reset();
  return absl::OkStatus();
}

absl::Status ReplicaGroup::Pause(int i) {
  if (pid(i) <= 0) return absl::FailedPreconditionError("not running");
  return kill(pid(i), SIGSTOP) == 0 ? absl::OkStatus() : absl::InternalError("SIGSTOP failed");
}

absl::Status ReplicaGroup::Resume(int i) {
  if (pid(i) <= 0) return absl::FailedPreconditionError("not running");
  return kill(pid(i), SIGCONT) == 0 ? absl::OkStatus() : absl::InternalError("SIGCONT failed");
}

absl::Status ReplicaGroup::Restart(int i) {
  if (running(i)) return absl::FailedPreconditionError(absl::StrCat(replicas_[i].id, " runs"));
  return Launch(i);
}

absl::Status ReplicaGroup::Wipe(int i) {
  if (running(i)) {
    if (auto s = Kill(i); !s.ok()) return s;
  }
  std::error_code ec;
  std::filesystem::remove_all(data_dir(i), ec);
  return ec ? absl::InternalError(ec.message()) : absl::OkStatus();
}

absl::StatusOr<std::map<std::string, double>> ReplicaGroup::Metrics(int i) const {
  auto got = HttpGet(replicas_[i].admin, "/metrics");
  if (!got.ok()) return got.status();
  if (!absl::StartsWith(*got, "200 ")) return absl::UnavailableError(got->substr(0, 200));
  std::map<std::string, double> out;
  for (absl::string_view line : absl::StrSplit(absl::string_view(*got).substr(4), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    double v;
    if (space == absl::string_view::npos || !absl::SimpleAtod(line.substr(space + 1), &v)) continue;
    out[std::string(line.substr(0, space))] = v;
  }
  return out;
}

absl::StatusOr<int> ReplicaGroup::Leader(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last;
  while (absl::Now() < deadline) {
    int leader = -1, leaders = 0;
    for (int i = 0; i < size(); ++i) {
      if (!running(i)) continue;
      auto m = Metrics(i);
      if (!m.ok()) continue;  // paused or starting
      if ((*m)["collectonce_replication_leader"] == 1) {
        leader = i;
        ++leaders;
      }
    }
    if (leaders == 1) return leader;
    last = absl::StrCat(leaders, " replicas lead");
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat("no single leader in time (", last, ")"));
}

absl::Status ReplicaGroup::WaitConverged(absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last;
  while (absl::Now() < deadline) {
    auto leader = Leader(deadline - absl::Now());
    if (!leader.ok()) return leader.status();
    auto lm = Metrics(*leader);
    if (lm.ok()) {
      const double committed = (*lm)["collectonce_replication_committed_index"];
      bool all = true;
      last.clear();
      for (int i = 0; i < size(); ++i) {
        if (!running(i)) continue;
        auto m = Metrics(i);
        const double applied = m.ok() ? (*m)["collectonce_replication_applied_index"] : -1;
        absl::StrAppend(&last, replicas_[i].id, " applied ", applied, "; ");
        if (applied != committed) all = false;
      }
      absl::StrAppend(&last, "leader committed ", committed);
      if (all) return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat("the replicas did not converge: ", last));
}

std::string ReplicaGroup::LogTails(int lines) const {
  std::string out;
  for (const auto& r : replicas_) {
    for (int s = 0; s < r.starts; ++s) {
      const std::string path = absl::StrCat(options_.dir, "/", r.id, ".", s, ".log");
      absl::StrAppend(&out, "--- ", r.id, " start ", s, " (", path, "):\n",
                      Tail(ReadAll(path), lines), "\n");
    }
  }
  if (etcd_ != nullptr) absl::StrAppend(&out, etcd_->LogTails(lines / 3));
  return out;
}

}  // namespace collectonce::testing
