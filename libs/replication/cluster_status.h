// What `registryctl cluster status` shows, read from etcd alone (no registry needs to be up):
// the etcd members and their health, the registry's leader and epoch, every replica's last
// report and lag, the log's bounds and the backup mark.
#ifndef COLLECTONCE_LIBS_REPLICATION_CLUSTER_STATUS_H_
#define COLLECTONCE_LIBS_REPLICATION_CLUSTER_STATUS_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "collectonce/replication/v1/replication.pb.h"
#include "libs/etcd/client.h"
#include "libs/replication/layout.h"

namespace collectonce::replication {

// UNAVAILABLE when etcd cannot be read; a member that does not answer its status is listed
// with its error.
[[nodiscard]] absl::StatusOr<v1::ClusterStatus> ReadClusterStatus(etcd::Client* client,
                                                                  const Layout& layout,
                                                                  absl::Time deadline);

}  // namespace collectonce::replication

#endif  // COLLECTONCE_LIBS_REPLICATION_CLUSTER_STATUS_H_
