// `registryctl cluster status` against a real etcd member holding a replica group's keys as
// the replicas write them: the leader and epoch, each replica's applied index and lag, the
// log's bounds and the backup mark, in a table and as JSON; and a clear error when etcd
// cannot be reached.
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "collectonce/replication/v1/replication.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/etcd/client.h"
#include "libs/replication/etcd_log.h"
#include "libs/replication/layout.h"
#include "tests/daemon.h"
#include "tests/etcd_cluster.h"

namespace collectonce {
namespace {

using ::testing::HasSubstr;
namespace rv1 = ::collectonce::replication::v1;

constexpr char kPrefix[] = "/collectonce/registry";

TEST(ClusterStatusTest, ShowsTheLeaderTheReplicasAndTheLog) {
  char tmpl[] = "/tmp/collectonce-cluster-status-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  testing::EtcdClusterOptions o;
  o.members = 1;
  o.dir = dir + "/etcd";
  auto cluster = testing::EtcdCluster::Start(o);
  ASSERT_TRUE(cluster.ok()) << cluster.status();
  etcd::ClientOptions co;
  co.endpoints = (*cluster)->endpoints();
  auto client = etcd::Client::Create(co);
  ASSERT_TRUE(client.ok());
  replication::Layout layout(kPrefix);

  rv1::LeaderRecord leader;
  leader.set_replica_id("registry-1");
  leader.set_address("10.0.1.12:7400");
  auto epoch = (*client)->Put(layout.LeaderKey(), leader.SerializeAsString());
  ASSERT_TRUE(epoch.ok());
  replication::EtcdLog log(client->get(), layout, "registry-1");
  for (uint64_t i = 1; i <= 5; ++i) {
    ASSERT_TRUE(log.Append(*epoch, i, "entry", i > 1, absl::Now() + absl::Seconds(5)).ok());
  }
  for (int r = 0; r < 3; ++r) {
    rv1::ReplicaRecord rec;
    rec.set_replica_id(absl::StrCat("registry-", r));
    rec.set_address(absl::StrCat("10.0.1.1", r + 1, ":7400"));
    rec.set_applied_index(r == 2 ? 3 : 5);
    rec.set_applied_commit_sequence(r == 2 ? 30 : 50);
    rec.set_report_time_us(absl::ToUnixMicros(absl::Now()));
    ASSERT_TRUE((*client)->Put(layout.ReplicaKey(rec.replica_id()), rec.SerializeAsString()).ok());
  }
  rv1::BackupMark mark;
  mark.set_log_index(4);
  ASSERT_TRUE((*client)->Put(layout.BackupKey(), mark.SerializeAsString()).ok());

  const std::string ctl = absl::StrCat(REGISTRYCTL_BINARY, " cluster status --etcd-endpoints ",
                                       (*cluster)->endpoint(0));
  testing::ShellResult table = testing::RunShell(ctl);
  testing::KeepTestOutput("cluster_status", table.out);
  ASSERT_EQ(table.exit_code, 0) << table.out;
  EXPECT_THAT(table.out, HasSubstr(absl::StrCat("registry leader: registry-1 at 10.0.1.12:7400, "
                                                "epoch ",
                                                *epoch)));
  EXPECT_THAT(table.out, HasSubstr("log: entries 1 to 5 (5 in etcd); backup covers up to 4"));
  EXPECT_THAT(table.out, HasSubstr("healthy"));
  EXPECT_THAT(table.out, HasSubstr("registry-2"));

  testing::ShellResult json = testing::RunShell(ctl + " -o json");
  ASSERT_EQ(json.exit_code, 0) << json.out;
  EXPECT_THAT(json.out, HasSubstr("\"leaderReplicaId\": \"registry-1\""));
  EXPECT_THAT(json.out, HasSubstr("\"logLastIndex\": \"5\""));
  EXPECT_THAT(json.out, HasSubstr("\"lag\": \"2\""));

  // etcd gone: an error that says so, exit 64 + UNAVAILABLE.
  const std::string endpoint = (*cluster)->endpoint(0);
  cluster->reset();
  testing::ShellResult down = testing::RunShell(
      absl::StrCat(REGISTRYCTL_BINARY, " --timeout 2 cluster status --etcd-endpoints ", endpoint));
  EXPECT_EQ(down.exit_code, 64 + 14) << down.out;
  EXPECT_THAT(down.out, HasSubstr("cannot read the cluster from etcd"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace collectonce
