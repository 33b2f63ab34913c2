// registryctl cluster status: the replicated registry as etcd holds it — the etcd members,
// the registry's leader and epoch, every replica's applied index and lag, the log's bounds
// and the backup mark (docs/replication.md, "Operations"). It reads etcd alone, so it works
// while no registry replica is up.
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "libs/etcd/client.h"
#include "libs/replication/cluster_status.h"
#include "libs/rpc/leader_router.h"
#include "tools/registryctl/client.h"
#include "tools/registryctl/commands.h"
#include "tools/registryctl/output.h"

namespace collectonce::registryctl {

namespace {

struct ClusterFlags {
  std::string etcd_endpoints = "127.0.0.1:2379";
  std::string etcd_prefix = "/collectonce/registry";
  std::string etcd_ca, etcd_cert, etcd_key;
};

std::string Age(int64_t report_time_us) {
  if (report_time_us <= 0) return "never";
  const absl::Duration d = absl::Now() - absl::FromUnixMicros(report_time_us);
  return absl::StrCat(absl::ToInt64Milliseconds(d) / 1000.0, "s ago");
}

std::string Bytes(int64_t n) {
  if (n >= (1 << 20)) return absl::StrCat(n >> 20, " MiB");
  if (n >= (1 << 10)) return absl::StrCat(n >> 10, " KiB");
  return absl::StrCat(n, " B");
}

int RunStatus(const Globals& g, const ClusterFlags& f) {
  auto endpoints = rpc::ParseAddressList(f.etcd_endpoints);
  if (!endpoints.ok()) {
    return UsageError(absl::StrCat("--etcd-endpoints: ", endpoints.status().message()));
  }
  etcd::ClientOptions o;
  o.endpoints = *endpoints;
  o.tls_ca_file = f.etcd_ca;
  o.tls_cert_file = f.etcd_cert;
  o.tls_key_file = f.etcd_key;
  o.call_timeout = absl::Seconds(g.timeout_seconds);
  auto client = etcd::Client::Create(o);
  if (!client.ok()) return UsageError(client.status().message());
  auto st = replication::ReadClusterStatus(client->get(), replication::Layout(f.etcd_prefix),
                                           absl::Now() + absl::Seconds(g.timeout_seconds));
  if (!st.ok()) {
    std::cerr << "error: cannot read the cluster from etcd (" << f.etcd_endpoints
              << "): " << st.status().message() << "\n";
    return kExitRpcBase + static_cast<int>(st.status().code());
  }
  if (g.structured()) return EmitMessage(g, *st);

  std::cout << "etcd members\n";
  Table members({"NAME", "ENDPOINT", "RAFT LEADER", "DB SIZE", "RAFT INDEX", "VERSION", "STATE"});
  for (const auto& m : st->members()) {
    std::string state = m.error().empty() ? "healthy" : absl::StrCat("unreachable: ", m.error());
    if (!m.alarms().empty()) state = absl::StrCat("alarm ", absl::StrJoin(m.alarms(), ","));
    members.AddRow({m.name(), m.endpoint(), m.leader() ? "yes" : "", Bytes(m.db_size_bytes()),
                    absl::StrCat(m.raft_index()), m.version(), state});
  }
  members.Print(std::cout);

  std::cout << "\nregistry leader: "
            << (st->leader_replica_id().empty()
                    ? std::string("none (an election is under way, or no replica runs)")
                    : absl::StrCat(st->leader_replica_id(), " at ", st->leader_address(),
                                   ", epoch ", st->epoch()))
            << "\n";
  const uint64_t entries =
      st->log_last_index() == 0 ? 0 : st->log_last_index() - st->log_first_index() + 1;
  std::cout << "log: entries " << st->log_first_index() << " to " << st->log_last_index() << " ("
            << entries << " in etcd); backup covers up to "
            << (st->backup_log_index() == 0 ? std::string("nothing recorded")
                                            : absl::StrCat(st->backup_log_index()))
            << "\n\n";
  Table replicas(
      {"REPLICA", "ADDRESS", "ROLE", "APPLIED INDEX", "COMMIT SEQUENCE", "LAG", "REPORTED"});
  for (const auto& r : st->replicas()) {
    replicas.AddRow({r.replica_id(), r.address(), r.leader() ? "leader" : "follower",
                     absl::StrCat(r.applied_index()), absl::StrCat(r.applied_commit_sequence()),
                     absl::StrCat(r.lag()), Age(r.report_time_us())});
  }
  if (replicas.empty()) {
    std::cout << "no replica has reported yet\n";
  } else {
    replicas.Print(std::cout);
  }
  return kExitOk;
}

}  // namespace

void AddClusterCommands(CLI::App& app, const Globals& globals, Action* action) {
  CLI::App* cluster =
      app.add_subcommand("cluster", "the replicated registry: members, leader, lag, log");
  cluster->require_subcommand(1);
  auto flags = std::make_shared<ClusterFlags>();
  CLI::App* status = cluster->add_subcommand(
      "status",
      "etcd members, the registry's leader and epoch, each replica's applied index "
      "and lag, the log's size (read from etcd)");
  status
      ->add_option("--etcd-endpoints", flags->etcd_endpoints,
                   "the etcd members' client addresses, HOST:PORT,HOST:PORT,...")
      ->envname("REGISTRYCTL_ETCD_ENDPOINTS")
      ->capture_default_str();
  status->add_option("--etcd-prefix", flags->etcd_prefix, "the registry group's keys in etcd")
      ->envname("REGISTRYCTL_ETCD_PREFIX")
      ->capture_default_str();
  status->add_option("--etcd-ca", flags->etcd_ca, "TLS towards etcd: CA bundle (PEM)")
      ->envname("REGISTRYCTL_ETCD_CA");
  status->add_option("--etcd-cert", flags->etcd_cert, "TLS towards etcd: client certificate")
      ->envname("REGISTRYCTL_ETCD_CERT");
  status->add_option("--etcd-key", flags->etcd_key, "TLS towards etcd: client key")
      ->envname("REGISTRYCTL_ETCD_KEY");
  status->footer(
      "Example: registryctl cluster status --etcd-endpoints "
      "127.0.0.1:2479,127.0.0.1:2481,127.0.0.1:2483");
  status->callback([&globals, flags, action] {
    *action = [&globals, flags] { return RunStatus(globals, *flags); };
  });
}

REGISTRYCTL_COMMAND_GROUP(AddClusterCommands, 90);

}  // namespace collectonce::registryctl
