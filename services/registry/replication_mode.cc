#include "services/registry/replication_mode.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "collectonce/replication/v1/replication.pb.h"
#include "libs/rpc/admin_server.h"
#include "libs/rpc/leader_router.h"

namespace collectonce::registry {
namespace {

bool IsWildcardHost(const std::string& host) {
  return host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]";
}

}  // namespace

absl::Status CheckReplicationFlags(ReplicationFlags* f, const std::string& listen) {
  if (f->mode == "none") {
    if (!f->etcd_endpoints.empty() || !f->replica_id.empty()) {
      return absl::InvalidArgumentError(
          "--etcd-endpoints and --replica-id are for --replication etcd");
    }
    return absl::OkStatus();
  }
  if (f->mode != "etcd") {
    return absl::InvalidArgumentError(
        absl::StrCat("--replication is none or etcd, not \"", f->mode, "\""));
  }
  if (auto e = rpc::ParseAddressList(f->etcd_endpoints); !e.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--etcd-endpoints: ", e.status().message()));
  }
  if (f->replica_id.empty() || f->replica_id.size() > 63 ||
      f->replica_id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") !=
          std::string::npos) {
    return absl::InvalidArgumentError(
        "--replica-id is required with --replication etcd: 1 to 63 of a-z, 0-9 and '-', "
        "stable across restarts (registry-0, registry-1, ...)");
  }
  if (f->advertise_address.empty()) {
    auto hp = rpc::SplitHostPort(listen);
    if (!hp.ok() || IsWildcardHost(hp->first)) {
      return absl::InvalidArgumentError(
          "--advertise-address is required when --listen is a wildcard: the host:port that "
          "callers reach this replica at");
    }
    // Filled from the bound address once the server listens (port 0 picks one).
  } else if (auto a = rpc::ParseAddressList(f->advertise_address); !a.ok() || a->size() != 1) {
    return absl::InvalidArgumentError("--advertise-address is one HOST:PORT");
  }
  if (f->lease_seconds < 2 || f->lease_seconds > 60) {
    return absl::InvalidArgumentError("--lease-seconds is 2 to 60");
  }
  if (!absl::StartsWith(f->etcd_prefix, "/") || absl::EndsWith(f->etcd_prefix, "/")) {
    return absl::InvalidArgumentError("--etcd-prefix starts with / and does not end with one");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ReplicationMode>> ReplicationMode::Start(
    const ReplicationFlags& f, replication::ReplicatedStore* store) {
  std::unique_ptr<ReplicationMode> m(new ReplicationMode());
  etcd::ClientOptions co;
  co.endpoints = *rpc::ParseAddressList(f.etcd_endpoints);
  co.tls_ca_file = f.etcd_ca;
  co.tls_cert_file = f.etcd_cert;
  co.tls_key_file = f.etcd_key;
  // An attempt must be able to fail over well inside the lease.
  co.attempt_timeout = absl::Seconds(f.lease_seconds) / 4;
  co.call_timeout = absl::Seconds(f.lease_seconds);
  auto client = etcd::Client::Create(co);
  if (!client.ok()) return client.status();
  m->client_ = *std::move(client);
  m->etcd_calls_ = std::make_unique<rpc::RpcMetrics>("collectonce_etcd", "Calls to etcd");
  m->client_->set_observer([calls = m->etcd_calls_.get()](absl::string_view method,
                                                          absl::StatusCode code,
                                                          absl::Duration took) {
    calls->Record(std::string(method), static_cast<int>(code), absl::ToDoubleSeconds(took));
  });
  replication::ReplicaControllerOptions o;
  o.election.replica_id = f.replica_id;
  o.election.address = f.advertise_address;
  o.election.lease_ttl = absl::Seconds(f.lease_seconds);
  o.election.campaign = !f.no_campaign;
  o.append_timeout = absl::Seconds(f.lease_seconds) / 2;
  o.trim_interval = absl::Seconds(f.trim_interval_seconds);
  o.trim_requires_backup = !f.trim_without_backup;
  m->controller_ = std::make_unique<replication::ReplicaController>(
      m->client_.get(), replication::Layout(f.etcd_prefix), store, o);
  m->controller_->set_append_observer(
      [calls = m->etcd_calls_.get()](absl::StatusCode code, absl::Duration took) {
        calls->Record("LogAppend", static_cast<int>(code), absl::ToDoubleSeconds(took));
      });
  m->controller_->Start();
  m->replica_id_ = f.replica_id;
  m->prefix_ = f.etcd_prefix;
  return m;
}

ReplicationMode::~ReplicationMode() {
  controller_.reset();  // before the client it calls
  client_.reset();
}

void ReplicationMode::RecordBackup(const std::string& directory, const store::BackupInfo& info) {
  replication::v1::BackupMark mark;
  mark.set_log_index(info.last_log_index);
  mark.set_last_commit_sequence(info.last_commit_sequence);
  mark.set_replica_id(replica_id_);
  mark.set_directory(directory);
  mark.set_backup_id(info.backup_id);
  mark.set_time_us(absl::ToUnixMicros(absl::Now()));
  client_->Put(replication::Layout(prefix_).BackupKey(), mark.SerializeAsString()).IgnoreError();
}

rpc::LeaderHint ReplicationMode::Hint() const {
  replication::LeaderInfo l = controller_->leader();
  return {l.address, l.replica_id};
}

void ReplicationMode::AddMetrics(rpc::RpcMetrics* metrics) {
  auto* c = controller_.get();
  metrics->AddGauge("collectonce_replication_leader",
                    "1 while this replica leads with a valid lease, 0 while it follows.",
                    [c] { return c->Leading() ? 1.0 : 0.0; });
  metrics->AddGauge("collectonce_replication_epoch",
                    "The epoch this replica leads in (0 while following).",
                    [c] { return static_cast<double>(c->status().epoch); });
  metrics->AddGauge("collectonce_replication_leader_epoch",
                    "The epoch of the leader this replica knows (0: none known).",
                    [c] { return static_cast<double>(c->leader().epoch); });
  metrics->AddGauge("collectonce_replication_applied_index",
                    "The last log entry applied to this replica's store.",
                    [c] { return static_cast<double>(c->status().applied_index); });
  metrics->AddGauge("collectonce_replication_committed_index",
                    "The last log entry this replica knows to be in the log.",
                    [c] { return static_cast<double>(c->status().committed_index); });
  metrics->AddGauge("collectonce_replication_lag_entries",
                    "Log entries committed but not yet applied here.",
                    [c] { return static_cast<double>(c->status().lag()); });
  metrics->AddGauge("collectonce_replication_log_entries",
                    "Entries in the log in etcd (first to last), as last read.", [c] {
                      auto s = c->status();
                      return s.log_last_index == 0
                                 ? 0.0
                                 : static_cast<double>(s.log_last_index - s.log_first_index + 1);
                    });
  metrics->AddGauge("collectonce_replication_log_first_index",
                    "The oldest entry still in the log (older ones were trimmed).",
                    [c] { return static_cast<double>(c->status().log_first_index); });
  metrics->AddCounterFunction("collectonce_replication_entries_applied_total",
                              "Log entries applied from the log (as a follower).",
                              [c] { return static_cast<double>(c->status().entries_applied); });
  metrics->AddCounterFunction("collectonce_replication_terms_led_total",
                              "Times this replica started leading.",
                              [c] { return static_cast<double>(c->status().terms_led); });
  metrics->AddCounterFunction("collectonce_replication_entries_trimmed_total",
                              "Log entries this replica trimmed while leading.",
                              [c] { return static_cast<double>(c->status().entries_trimmed); });
}

}  // namespace collectonce::registry
