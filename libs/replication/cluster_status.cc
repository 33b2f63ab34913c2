#include "libs/replication/cluster_status.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "libs/replication/etcd_log.h"

namespace collectonce::replication {
namespace {

// "http://127.0.0.1:2379" -> "127.0.0.1:2379".
std::string HostPort(std::string url) {
  if (auto p = url.find("://"); p != std::string::npos) url = url.substr(p + 3);
  return url;
}

}  // namespace

absl::StatusOr<v1::ClusterStatus> ReadClusterStatus(etcd::Client* client, const Layout& layout,
                                                    absl::Time deadline) {
  v1::ClusterStatus out;
  auto members = client->MemberList(deadline);
  if (!members.ok()) return members.status();
  for (const etcd::Member& m : *members) {
    auto* pm = out.add_members();
    pm->set_name(m.name);
    pm->set_id(m.id);
    if (m.client_urls.empty()) continue;
    pm->set_endpoint(HostPort(m.client_urls.front()));
    auto st = client->Status(pm->endpoint(), deadline);
    if (!st.ok()) {
      pm->set_error(std::string(st.status().message()));
      continue;
    }
    pm->set_leader(st->leader_id == m.id);
    pm->set_db_size_bytes(st->db_size_bytes);
    pm->set_raft_index(st->raft_index);
    pm->set_version(st->version);
    for (const std::string& e : st->errors) pm->add_alarms(e);
  }

  auto leader = client->Get(layout.LeaderKey(), deadline);
  if (leader.ok()) {
    v1::LeaderRecord rec;
    if (rec.ParseFromString(leader->value)) {
      out.set_leader_replica_id(rec.replica_id());
      out.set_leader_address(rec.address());
    }
    out.set_epoch(leader->create_revision);
  } else if (leader.status().code() != absl::StatusCode::kNotFound) {
    return leader.status();
  }

  EtcdLog log(client, layout, "");
  auto bounds = log.Bounds(deadline);
  if (!bounds.ok()) return bounds.status();
  out.set_log_first_index(bounds->first);
  out.set_log_last_index(bounds->second);

  auto mark = client->Get(layout.BackupKey(), deadline);
  if (mark.ok()) {
    v1::BackupMark m;
    if (m.ParseFromString(mark->value)) out.set_backup_log_index(m.log_index());
  }

  etcd::RangeRequest r;
  r.keys = layout.ReplicaKeys();
  auto replicas = client->Range(r, deadline);
  if (!replicas.ok()) return replicas.status();
  out.set_etcd_revision(replicas->revision);
  for (const etcd::KeyValue& kv : replicas->kvs) {
    v1::ReplicaRecord rec;
    if (!rec.ParseFromString(kv.value)) continue;
    auto* pr = out.add_replicas();
    pr->set_replica_id(rec.replica_id());
    pr->set_address(rec.address());
    pr->set_applied_index(rec.applied_index());
    pr->set_applied_commit_sequence(rec.applied_commit_sequence());
    pr->set_lag(bounds->second > rec.applied_index() ? bounds->second - rec.applied_index() : 0);
    pr->set_report_time_us(rec.report_time_us());
    pr->set_leader(!out.leader_replica_id().empty() && rec.replica_id() == out.leader_replica_id());
  }
  return out;
}

}  // namespace collectonce::replication
