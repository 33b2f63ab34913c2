// Where the replicated registry keeps its state in etcd, under one prefix per replica group
// (docs/storage.md, "In etcd"; the key names do not change).
//   PREFIX/leader                  LeaderRecord, under the leader's lease
//   PREFIX/log/<20-digit index>    LogRecord: the commit log, one key per entry
//   PREFIX/replicas/<replica id>   ReplicaRecord: what each replica has applied
//   PREFIX/backup                  BackupMark: the newest verified backup
#ifndef COLLECTONCE_LIBS_REPLICATION_LAYOUT_H_
#define COLLECTONCE_LIBS_REPLICATION_LAYOUT_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/etcd/types.h"

namespace collectonce::replication {

class Layout {
 public:
  // `prefix` without a trailing slash, e.g. "/collectonce/registry".
  explicit Layout(std::string prefix) : prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string LeaderKey() const { return prefix_ + "/leader"; }
  // Zero-padded, so that etcd's key order is the index order.
  std::string LogKey(uint64_t index) const;
  // Every log key; entries from `from` on.
  etcd::KeyRange LogKeys() const;
  etcd::KeyRange LogKeysFrom(uint64_t from) const;
  // The index in a log key, if it is one.
  std::optional<uint64_t> LogIndexOf(absl::string_view key) const;
  std::string ReplicaKey(absl::string_view replica_id) const;
  etcd::KeyRange ReplicaKeys() const;
  std::string BackupKey() const { return prefix_ + "/backup"; }

 private:
  std::string LogPrefix() const { return prefix_ + "/log/"; }
  std::string prefix_;
};

}  // namespace collectonce::replication

#endif  // COLLECTONCE_LIBS_REPLICATION_LAYOUT_H_
